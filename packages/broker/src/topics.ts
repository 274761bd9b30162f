import type { LogConfig, PartitionLog } from "@logbook/storage";

/** A topic as the handlers see it. */
export interface TopicInfo {
  readonly name: string;
  /** 16-byte topic id (KIP-516), never all zero. */
  readonly id: Buffer;
  readonly partitions: number;
  /** Topic-level overrides only (what DescribeConfigs reports as DYNAMIC_TOPIC_CONFIG). */
  readonly overrides: ReadonlyMap<string, string>;
  /** Effective log settings: broker defaults with the overrides applied. */
  readonly logConfig: LogConfig;
  /** Effective max.message.bytes. */
  readonly maxMessageBytes: number;
  /** Effective message.timestamp.before.max.ms / .after.max.ms (CreateTime checks). */
  readonly timestampLimits: { readonly beforeMaxMs: number; readonly afterMaxMs: number };
  readonly internal: boolean;
}

export type AdminResult = { ok: true } | { ok: false; errorCode: number; message: string };

export type TopicCreateResult =
  | { ok: true; topic: TopicInfo }
  | { ok: false; errorCode: number; message: string };

/**
 * Topics, their ids, partition counts and configs, kept in the metadata log and
 * replayed at start-up (implemented in metadata/). Partition logs are opened lazily.
 */
export interface TopicRegistry {
  get(name: string): TopicInfo | undefined;
  getById(id: Buffer): TopicInfo | undefined;
  list(): TopicInfo[];
  /** The log of one partition, or undefined when the topic or partition does not exist. */
  partition(topic: string, partition: number): Promise<PartitionLog | undefined>;
  /**
   * `partition`'s answer without waiting, where it is known: the log once opened, or
   * undefined when the topic or partition does not exist; null while only `partition`
   * can tell (not opened yet, or opening). Lets a fetch of many partitions resolve them
   * without a promise each.
   */
  openedPartition(topic: string, partition: number): PartitionLog | undefined | null;
  /** Creates a topic (validating name, partitions and configs); `validateOnly` changes nothing. */
  create(
    name: string,
    partitions: number,
    overrides: ReadonlyMap<string, string>,
    validateOnly?: boolean,
  ): Promise<TopicCreateResult>;
  /** Auto-creation for Metadata requests when auto.create.topics.enable is on. */
  autoCreate(name: string): Promise<TopicCreateResult>;
  /** config.clusterId, or the id generated at first start and kept in the metadata log. */
  readonly clusterId: string;
  /** Removes the topic from the metadata log, then closes and deletes its partitions. */
  deleteTopic(name: string): Promise<AdminResult>;
  /**
   * Sets what runs before a deleted topic's partitions are removed: after its deletion
   * is stored, or for the leftovers of a deletion a crash interrupted, found when the
   * name is created again. Should it fail, the partitions stay for that clean-up.
   */
  onPartitionsDropped(hook: (topic: string, partitions: readonly number[]) => Promise<void>): void;
  /** Raises the partition count (never lowers it). */
  createPartitions(name: string, count: number, validateOnly: boolean): Promise<AdminResult>;
  /** Replaces the topic's overrides (checked first); open logs get the new settings. */
  setOverrides(
    name: string,
    overrides: ReadonlyMap<string, string>,
    validateOnly: boolean,
  ): Promise<AdminResult>;
}
