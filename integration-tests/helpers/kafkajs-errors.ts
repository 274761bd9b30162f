/**
 * The Kafka error name a kafkajs failure carries (TOPIC_AUTHORIZATION_FAILED, ...): kafkajs
 * wraps some in `originalError`, `cause` or an aggregate's `errors`. Undefined when none
 * does (a connection closed, a local failure).
 */
export function kafkajsErrorType(e: unknown): string | undefined {
  if (e === null || typeof e !== "object") return undefined;
  const o = e as { type?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };
  if (typeof o.type === "string") return o.type;
  const nested = [o.originalError, o.cause, ...(Array.isArray(o.errors) ? o.errors : [])];
  return nested.map(kafkajsErrorType).find((t) => t !== undefined);
}
