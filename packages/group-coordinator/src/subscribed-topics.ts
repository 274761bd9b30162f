import { decodeConsumerProtocolSubscription, Reader } from "@logbook/protocol";

/**
 * The topics in a consumer's Subscription bytes (INT16 version + struct). Only the
 * leading topics array is needed, and it is the same in every version, so higher
 * versions are read as version 0. Unreadable bytes subscribe to nothing.
 */
export function subscribedTopics(metadata: Buffer): string[] {
  try {
    const r = new Reader(metadata);
    r.int16();
    return decodeConsumerProtocolSubscription(r, 0).topics;
  } catch {
    return [];
  }
}
