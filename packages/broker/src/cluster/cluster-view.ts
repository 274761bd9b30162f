import { CONSUMER_OFFSETS_TOPIC } from "@logbook/group-coordinator";
import type { ClusterMembership, LiveBroker } from "@logbook/storage";
import { partitionKey } from "../groups/partition-keys.js";
import { TRANSACTION_STATE_PARTITION } from "../txn/coordinator.js";
import { rendezvousOwner } from "./rendezvous.js";

/**
 * Where a partition is placed. `__transaction_state`/0 goes where `__consumer_offsets`/0
 * goes: one broker coordinates both groups and transactions, so TxnOffsetCommit's check
 * and the completion of a transaction's offsets stay calls within one process (Kafka
 * sends markers to the group coordinator's broker instead).
 */
function placementKey(topic: string, partition: number): string {
  if (
    topic === TRANSACTION_STATE_PARTITION.topic &&
    partition === TRANSACTION_STATE_PARTITION.partition
  )
    return partitionKey(CONSUMER_OFFSETS_TOPIC, 0);
  return partitionKey(topic, partition);
}

/** The live brokers and the generation, as a membership reports them. */
export type LiveSet = Pick<ClusterMembership, "live" | "generation">;

/** This broker, as the view needs it: its id and its own advertised addresses. */
export interface SelfNode {
  readonly nodeId: number;
  /** This broker's advertised address on a listener; null where it is not advertised. */
  advertisedFor(listenerName: string): { readonly host: string; readonly port: number } | null;
}

/**
 * The cluster as the metadata APIs describe it: the live brokers, who leads each
 * partition (rendezvous hashing over the live node ids), the leader epoch (the
 * membership's generation, which never goes backwards) and the controller (the lowest
 * live node id). Without a membership this broker is alone: it leads every partition at
 * epoch 0 and is the controller, exactly the single-node answers.
 */
export class ClusterView {
  private idsOf: readonly LiveBroker[] | null = null;
  private ids: readonly number[] = [];

  constructor(
    private readonly self: SelfNode,
    /** null: a single-node broker (an engine without cluster membership). */
    private readonly members: LiveSet | null,
  ) {}

  /** True when brokers share the engine (leadership moves; claims and fencing apply). */
  get shared(): boolean {
    return this.members !== null;
  }

  /** Every partition's leader epoch. */
  get leaderEpoch(): number {
    return this.members?.generation ?? 0;
  }

  /** Live node ids, ascending; this broker alone until the membership knows anyone. */
  nodeIds(): readonly number[] {
    const live = this.members?.live() ?? [];
    if (live.length === 0) return [this.self.nodeId];
    if (live !== this.idsOf) {
      this.idsOf = live;
      this.ids = live.map((b) => b.nodeId).sort((a, b) => a - b);
    }
    return this.ids;
  }

  get controllerId(): number {
    return this.nodeIds()[0] ?? this.self.nodeId;
  }

  leaderOf(topic: string, partition: number): number {
    const ids = this.nodeIds();
    if (ids.length === 1) return ids[0] ?? this.self.nodeId;
    return rendezvousOwner(placementKey(topic, partition), ids);
  }

  /**
   * How Metadata-like answers describe a partition: its leader, the epoch, and the
   * leader as the only replica and ISR (the database replicates, not the brokers).
   */
  placement(
    topic: string,
    partition: number,
  ): { leaderId: number; leaderEpoch: number; replicaNodes: number[]; isrNodes: number[] } {
    const leader = this.leaderOf(topic, partition);
    return {
      leaderId: leader,
      leaderEpoch: this.leaderEpoch,
      replicaNodes: [leader],
      isrNodes: [leader],
    };
  }

  /** True when this broker leads the partition (always, for a single node). */
  leads(topic: string, partition: number): boolean {
    return this.leaderOf(topic, partition) === this.self.nodeId;
  }

  /** Where `nodeId` is reached through `listenerName`; null when it is not advertised there. */
  addressOf(
    nodeId: number,
    listenerName: string,
  ): { readonly host: string; readonly port: number } | null {
    // This broker's own addresses are known locally, exactly as a single node answers.
    if (nodeId === this.self.nodeId) return this.self.advertisedFor(listenerName);
    const e = this.brokerOf(nodeId)?.endpoints.find((x) => x.listener === listenerName);
    return e === undefined ? null : { host: e.host, port: e.port };
  }

  /** The security protocol of another broker's listener, as it registered it; null if unknown. */
  protocolOf(nodeId: number, listenerName: string): string | null {
    const e = this.brokerOf(nodeId)?.endpoints.find((x) => x.listener === listenerName);
    return e?.securityProtocol ?? null;
  }

  rackOf(nodeId: number): string | null {
    return this.brokerOf(nodeId)?.rack ?? null;
  }

  /** The live brokers reachable through `listenerName`, ascending by node id. */
  brokersOn(
    listenerName: string,
  ): { nodeId: number; host: string; port: number; rack: string | null }[] {
    const out = [];
    for (const nodeId of this.nodeIds()) {
      const address = this.addressOf(nodeId, listenerName);
      if (address !== null) out.push({ nodeId, ...address, rack: this.rackOf(nodeId) });
    }
    return out;
  }

  private brokerOf(nodeId: number): LiveBroker | undefined {
    return this.members?.live().find((b) => b.nodeId === nodeId);
  }
}
