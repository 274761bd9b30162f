import { ErrorCode } from "@logbook/protocol";

/** The metadata log's own partition; never listed as a topic. */
export const METADATA_TOPIC = "__cluster_metadata";

const LEGAL = /^[a-zA-Z0-9._-]+$/;
const MAX_LENGTH = 249;

export type NameCheck = { ok: true } | { ok: false; errorCode: number; message: string };

/** Kafka's topic name rules: legal characters, at most 249 of them, not "." or "..". */
export function checkTopicName(name: string): NameCheck {
  const bad = (message: string): NameCheck => ({
    ok: false,
    errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION,
    message,
  });
  if (name.length === 0) return bad("Topic name is illegal, it can't be empty");
  if (name === "." || name === "..") return bad('Topic name cannot be "." or ".."');
  if (name.length > MAX_LENGTH) {
    return bad(`Topic name is illegal, it can't be longer than ${MAX_LENGTH} characters`);
  }
  if (!LEGAL.test(name)) {
    return bad(
      `Topic name "${name}" is illegal, it contains a character other than [a-zA-Z0-9._-]`,
    );
  }
  if (name === METADATA_TOPIC) return bad(`Topic name "${name}" is reserved for the metadata log`);
  return { ok: true };
}

/** Names starting with "__" belong to the broker (offsets, transactions, metadata). */
export function isInternalTopic(name: string): boolean {
  return name.startsWith("__");
}

/** "a.b" and "a_b" collide in metric names, so Kafka refuses to hold both. */
export function collisionKey(name: string): string {
  return name.replaceAll(".", "_");
}
