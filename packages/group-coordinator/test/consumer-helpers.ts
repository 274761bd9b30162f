import {
  encodeConsumerProtocolSubscription,
  sizeConsumerProtocolSubscription,
  Writer,
} from "@logbook/protocol";
import type {
  ConsumerHeartbeatInput,
  ConsumerHeartbeatResult,
  ConsumerTopicView,
  TopicIdPartitions,
} from "../src/consumer-api.js";
import type { GroupCoordinator } from "../src/group-coordinator.js";

/** A mutable topic table for consumer-group tests: name -> id and partition count. */
export class TestTopics implements ConsumerTopicView {
  private readonly byNameMap = new Map<string, { id: Buffer; partitions: number }>();

  set(name: string, partitions: number): void {
    const id = this.byNameMap.get(name)?.id ?? Buffer.alloc(16, this.byNameMap.size + 1);
    this.byNameMap.set(name, { id, partitions });
  }

  delete(name: string): void {
    this.byNameMap.delete(name);
  }

  id(name: string): Buffer {
    const t = this.byNameMap.get(name);
    if (t === undefined) throw new Error(`no topic ${name}`);
    return t.id;
  }

  byName(name: string) {
    return this.byNameMap.get(name);
  }

  names() {
    return this.byNameMap.keys();
  }

  byId(id: Buffer) {
    for (const [name, t] of this.byNameMap) {
      if (t.id.equals(id)) return { name, partitions: t.partitions };
    }
    return undefined;
  }
}

export function hb(overrides: Partial<ConsumerHeartbeatInput> = {}): ConsumerHeartbeatInput {
  return {
    version: 1,
    groupId: "g",
    memberId: "m1",
    memberEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: 30_000,
    subscribedTopicNames: ["t"],
    subscribedTopicRegex: null,
    serverAssignor: null,
    ownedTopicPartitions: [],
    clientId: "client",
    clientHost: "/127.0.0.1",
    ...overrides,
  };
}

/** A follow-up heartbeat of a member that reports what it owns. */
export function next(
  memberId: string,
  epoch: number,
  owned: TopicIdPartitions[] | null,
  overrides: Partial<ConsumerHeartbeatInput> = {},
): ConsumerHeartbeatInput {
  return hb({
    memberId,
    memberEpoch: epoch,
    rebalanceTimeoutMs: -1,
    subscribedTopicNames: null,
    ownedTopicPartitions: owned,
    ...overrides,
  });
}

/** Sorted "topicIdHex:partition" strings of an answer's assignment. */
export function flat(parts: TopicIdPartitions[] | null): string[] {
  return (parts ?? [])
    .flatMap((t) => t.partitions.map((p) => `${t.topicId.toString("hex")}:${p}`))
    .sort();
}

/**
 * Heartbeats a member until its answer stops changing, reporting what it was given as
 * owned (as a client does once it has revoked or taken partitions).
 */
export async function settle(
  c: GroupCoordinator,
  memberId: string,
  first: ConsumerHeartbeatResult,
  rounds = 5,
): Promise<ConsumerHeartbeatResult> {
  let r = first;
  let owned = r.assignment ?? [];
  for (let i = 0; i < rounds; i++) {
    r = await c.consumerHeartbeat(next(memberId, r.memberEpoch, owned));
    if (r.assignment !== null) owned = r.assignment;
  }
  return { ...r, assignment: owned };
}

/** ConsumerProtocolSubscription v1 bytes: these topics, and the partitions owned (by name). */
export function writeSubscription(
  topics: string[],
  owned: { topic: string; partitions: number[] }[],
): Buffer {
  const v = { topics, userData: null, ownedPartitions: owned, generationId: -1, rackId: null };
  const w = Writer.alloc(2 + sizeConsumerProtocolSubscription(v, 1));
  w.int16(1);
  encodeConsumerProtocolSubscription(w, v, 1);
  return w.result();
}
