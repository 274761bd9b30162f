/** Topic administration: create, delete, list, describe, configs, partitions, trim. */
import {
  CreatePartitionsApi,
  CreateTopicsApi,
  createCreatePartitionsRequest,
  createCreateTopicsRequest,
  createDeleteRecordsRequest,
  createDeleteTopicsRequest,
  createDescribeLogDirsRequest,
  createIncrementalAlterConfigsRequest,
  DeleteRecordsApi,
  DeleteTopicsApi,
  DescribeLogDirsApi,
  IncrementalAlterConfigsApi,
} from "@logbook/protocol";
import type { KafkaClient } from "../kafka-client.js";
import { check, KafkaError } from "../kafka-error.js";
import { ConfigOp, ConfigResourceType } from "./config-source.js";
import { type ConfigEntry, describeConfigs } from "./describe-configs.js";
import { listOffsets, OffsetSpec } from "./offsets.js";

const ADMIN_TIMEOUT_MS = 30_000;

export interface TopicSummary {
  readonly name: string;
  readonly partitions: number;
  readonly replicas: number;
  readonly internal: boolean;
}

/** Every topic the principal may describe, by name. */
export async function listTopics(client: KafkaClient, internal = false): Promise<TopicSummary[]> {
  const md = await client.metadata(null);
  return md.topics
    .filter((t) => t.errorCode === 0 && (internal || !t.isInternal))
    .map((t) => ({
      name: t.name ?? "",
      partitions: t.partitions.length,
      replicas: t.partitions[0]?.replicaNodes.length ?? 0,
      internal: t.isInternal,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export interface TopicResult {
  readonly name: string;
  /** Kafka's error name, or "OK". */
  readonly status: string;
  readonly message: string | null;
}

const resultOf = (name: string, errorCode: number, message: string | null): TopicResult => {
  if (errorCode === 0) return { name, status: "OK", message: null };
  const e = new KafkaError(errorCode, message);
  return { name, status: e.errorName, message };
};

export async function createTopics(
  client: KafkaClient,
  topics: readonly {
    name: string;
    partitions: number;
    replicationFactor: number;
    configs: ReadonlyMap<string, string>;
  }[],
  validateOnly = false,
): Promise<TopicResult[]> {
  const { body } = await (await client.controller()).send(CreateTopicsApi, () =>
    createCreateTopicsRequest({
      timeoutMs: ADMIN_TIMEOUT_MS,
      validateOnly,
      topics: topics.map((t) => ({
        name: t.name,
        numPartitions: t.partitions,
        replicationFactor: t.replicationFactor,
        assignments: [],
        configs: [...t.configs].map(([name, value]) => ({ name, value })),
      })),
    }),
  );
  return body.topics.map((t) => resultOf(t.name, t.errorCode, t.errorMessage));
}

export async function deleteTopics(
  client: KafkaClient,
  names: readonly string[],
): Promise<TopicResult[]> {
  const { body } = await (await client.controller()).send(DeleteTopicsApi, (version) =>
    createDeleteTopicsRequest({
      timeoutMs: ADMIN_TIMEOUT_MS,
      // v6 names topics in `topics` (by name or id); earlier versions in `topicNames`.
      topics: version >= 6 ? names.map((name) => ({ name, topicId: Buffer.alloc(16) })) : [],
      topicNames: version >= 6 ? [] : [...names],
    }),
  );
  return body.responses.map((t) => resultOf(t.name ?? "", t.errorCode, t.errorMessage));
}

/** Adds `count` partitions to each topic (CreatePartitions takes the new total). */
export async function addPartitions(
  client: KafkaClient,
  names: readonly string[],
  count: number,
): Promise<TopicResult[]> {
  const current = await client.metadata(names);
  const totals = names.map((name) => {
    const t = current.topics.find((x) => x.name === name);
    return { name, count: (t?.errorCode === 0 ? t.partitions.length : 0) + count };
  });
  const { body } = await (await client.controller()).send(CreatePartitionsApi, () =>
    createCreatePartitionsRequest({
      timeoutMs: ADMIN_TIMEOUT_MS,
      validateOnly: false,
      topics: totals.map((t) => ({ name: t.name, count: t.count, assignments: null })),
    }),
  );
  return body.results.map((t) => resultOf(t.name, t.errorCode, t.errorMessage));
}

/** A topic config with its source. */
export type TopicConfig = ConfigEntry;

export function describeTopicConfigs(client: KafkaClient, topic: string): Promise<TopicConfig[]> {
  return describeConfigs(client.any, ConfigResourceType.TOPIC, topic, `topic ${topic}`);
}

/** Sets and removes topic configs (IncrementalAlterConfigs). */
export async function alterTopicConfig(
  client: KafkaClient,
  topic: string,
  set: ReadonlyMap<string, string>,
  remove: readonly string[],
): Promise<void> {
  const { body } = await client.any.send(IncrementalAlterConfigsApi, () =>
    createIncrementalAlterConfigsRequest({
      validateOnly: false,
      resources: [
        {
          resourceType: ConfigResourceType.TOPIC,
          resourceName: topic,
          configs: [
            ...[...set].map(([name, value]) => ({ name, configOperation: ConfigOp.SET, value })),
            ...remove.map((name) => ({ name, configOperation: ConfigOp.DELETE, value: null })),
          ],
        },
      ],
    }),
  );
  const r = body.responses[0];
  if (r !== undefined) check(r.errorCode, r.errorMessage, `topic ${topic}`);
}

export interface PartitionDescription {
  readonly partition: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly logStartOffset: bigint;
  readonly highWatermark: bigint;
  /** Bytes on the leader's disk, or null when DescribeLogDirs is not answered. */
  readonly sizeBytes: bigint | null;
}

export interface TopicDescription {
  readonly name: string;
  /** The topic id as Kafka prints it (base64url of its 16 bytes). */
  readonly id: string;
  readonly internal: boolean;
  readonly partitions: readonly PartitionDescription[];
}

export async function describeTopic(client: KafkaClient, topic: string): Promise<TopicDescription> {
  const md = await client.metadata([topic]);
  const t = md.topics[0];
  if (t === undefined) throw new KafkaError(3, null, `topic ${topic}`);
  check(t.errorCode, null, `topic ${topic}`);
  const [starts, ends, sizes] = await Promise.all([
    listOffsets(client, [topic], OffsetSpec.EARLIEST),
    listOffsets(client, [topic], OffsetSpec.LATEST),
    partitionSizes(client, topic, t.partitions),
  ]);
  const at = (list: { partition: number; offset: bigint }[], p: number) =>
    list.find((x) => x.partition === p)?.offset ?? -1n;
  return {
    name: topic,
    id: t.topicId.toString("base64url"),
    internal: t.isInternal,
    partitions: t.partitions
      .map((p) => ({
        partition: p.partitionIndex,
        leader: p.leaderId,
        leaderEpoch: p.leaderEpoch,
        replicas: p.replicaNodes,
        isr: p.isrNodes,
        logStartOffset: at(starts, p.partitionIndex),
        highWatermark: at(ends, p.partitionIndex),
        sizeBytes: sizes.get(p.partitionIndex) ?? null,
      }))
      .sort((a, b) => a.partition - b.partition),
  };
}

/** Each partition's size from DescribeLogDirs of its leader; empty where not answered. */
async function partitionSizes(
  client: KafkaClient,
  topic: string,
  partitions: readonly { partitionIndex: number; leaderId: number }[],
): Promise<Map<number, bigint>> {
  const sizes = new Map<number, bigint>();
  for (const leader of new Set(partitions.map((p) => p.leaderId))) {
    if (leader < 0) continue;
    const led = partitions.filter((p) => p.leaderId === leader).map((p) => p.partitionIndex);
    try {
      const { body } = await (await client.broker(leader)).send(DescribeLogDirsApi, () =>
        createDescribeLogDirsRequest({ topics: [{ topic, partitions: led }] }),
      );
      for (const dir of body.results)
        for (const t of dir.topics)
          if (t.name === topic)
            for (const p of t.partitions)
              if (!p.isFutureKey)
                sizes.set(p.partitionIndex, (sizes.get(p.partitionIndex) ?? 0n) + p.partitionSize);
    } catch (e) {
      // Sizes are extra information: a principal without DESCRIBE on the cluster still
      // gets the rest of the description.
      if (!(e instanceof KafkaError)) throw e;
    }
  }
  return sizes;
}

export interface TrimResult {
  readonly partition: number;
  /** Kafka's error name, or "OK". */
  readonly status: string;
  readonly logStartOffset: bigint;
}

/**
 * Deletes the records before `offset` (DeleteRecords) in the given partitions, or in
 * every partition of the topic; -1 means the high watermark.
 */
export async function trimTopic(
  client: KafkaClient,
  topic: string,
  offset: bigint,
  partitions: readonly number[] | null,
): Promise<TrimResult[]> {
  const leaders = (await client.leaders([topic])).get(topic) ?? new Map<number, number>();
  const wanted = partitions ?? [...leaders.keys()];
  const byLeader = new Map<number, number[]>();
  for (const p of wanted) {
    const leader = leaders.get(p);
    if (leader === undefined) throw new KafkaError(3, `${topic} has no partition ${p}`);
    byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
  }
  const results = await Promise.all(
    [...byLeader].map(async ([leader, parts]) => {
      const { body } = await (await client.broker(leader)).send(DeleteRecordsApi, () =>
        createDeleteRecordsRequest({
          timeoutMs: ADMIN_TIMEOUT_MS,
          topics: [
            {
              name: topic,
              partitions: parts.map((partitionIndex) => ({ partitionIndex, offset })),
            },
          ],
        }),
      );
      return body.topics.flatMap((t) =>
        t.partitions.map((p) => ({
          partition: p.partitionIndex,
          status: p.errorCode === 0 ? "OK" : new KafkaError(p.errorCode).errorName,
          logStartOffset: p.lowWatermark,
        })),
      );
    }),
  );
  return results.flat().sort((a, b) => a.partition - b.partition);
}
