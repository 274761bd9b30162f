/**
 * Share acknowledgements (ShareFetch, ShareAcknowledge) need READ on their topic, as
 * Kafka checks before anything else about them: those on a topic the caller may not
 * read are answered TOPIC_AUTHORIZATION_FAILED and never applied. A topic id nobody
 * knows has no name to authorise and is left to the usual checks.
 */
import { ErrorCode } from "@logbook/protocol";
import type { RequestContext } from "../handler.js";
import { Op, topicAllowed } from "./check.js";

interface AckTarget {
  readonly topicId: Buffer;
}

/** Applies the readable acknowledgements; the codes come back in the acks' order. */
export async function applyReadableAcks<A extends AckTarget>(
  ctx: RequestContext,
  acks: readonly A[],
  apply: (readable: readonly A[]) => Promise<ErrorCode[]>,
): Promise<ErrorCode[]> {
  const readable = acks.map((a) => {
    const topic = ctx.broker.topics.getById(a.topicId);
    return topic === undefined || topicAllowed(ctx, Op.READ, topic.name);
  });
  const applied = await apply(acks.filter((_, i) => readable[i]));
  let next = 0;
  return readable.map((ok) =>
    ok ? (applied[next++] ?? ErrorCode.UNKNOWN_SERVER_ERROR) : ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  );
}
