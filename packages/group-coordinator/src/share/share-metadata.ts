import { createHash } from "node:crypto";
import type { ShareTopicsView } from "./share-api.js";
import type { ShareGroup, ShareMember } from "./share-group.js";
import type { ShareTopic } from "./simple-assignor.js";

/** The subscribed topics that exist now, by name. */
export function subscribedTopics(
  members: Iterable<ShareMember>,
  topics: ShareTopicsView,
): Map<string, ShareTopic> {
  const names = new Set<string>();
  for (const m of members) for (const t of m.subscribedTopicNames) names.add(t);
  const out = new Map<string, ShareTopic>();
  for (const name of [...names].sort()) {
    const t = topics.topic(name);
    if (t !== undefined) out.set(name, t);
  }
  return out;
}

/**
 * A signed 64-bit hash of the subscribed topics' names, ids and partition counts: the
 * group epoch moves when it changes (a topic created, deleted, re-created or grown), so
 * the assignment follows the topics as well as the members.
 */
export function metadataHash(topics: ReadonlyMap<string, ShareTopic>): bigint {
  if (topics.size === 0) return 0n;
  const h = createHash("sha256");
  for (const [name, t] of topics) {
    h.update(name);
    h.update("\0");
    h.update(t.topicId);
    h.update(String(t.partitions));
    h.update("\0");
  }
  return h.digest().readBigInt64BE(0);
}

/** The group's members with `member` in place of (or beside) its current entry. */
export function membersWith(group: ShareGroup, member: ShareMember): Map<string, ShareMember> {
  const out = new Map(group.members);
  out.set(member.memberId, member);
  return out;
}

export function sameAssignment(
  a: ShareMember["assignment"],
  b: ShareMember["assignment"],
): boolean {
  if (a.length !== b.length) return false;
  return a.every((t, i) => {
    const u = b[i];
    return (
      u !== undefined &&
      t.topic === u.topic &&
      t.topicId.equals(u.topicId) &&
      t.partitions.length === u.partitions.length &&
      t.partitions.every((p, j) => p === u.partitions[j])
    );
  });
}
