import { randomBytes } from "node:crypto";
import {
  type ConfigRecord,
  createConfigRecord,
  createConfigRecordConfigEntry,
  createTopicRecord,
  ErrorCode,
  type TopicRecord,
} from "@logbook/protocol";
import type { Logger, PartitionLog, StorageEngine } from "@logbook/storage";
import type { BrokerConfig } from "../config.js";
import type { AdminResult, TopicCreateResult, TopicInfo, TopicRegistry } from "../topics.js";
import type { MetadataLog } from "./metadata-log.js";
import { configEntry, type MetadataEvent, ResourceType, topicEntry } from "./metadata-records.js";
import {
  checkTopicConfigs,
  effectiveLogConfig,
  effectiveMaxMessageBytes,
  effectiveTimestampLimits,
} from "./topic-config.js";
import { checkTopicName, collisionKey, isInternalTopic } from "./topic-names.js";

/** Far more than one broker should hold; stops a typo from building a huge Metadata answer. */
export const MAX_PARTITIONS = 100_000;

const CLUSTER_ID_CONFIG = "cluster.id";

function fail(
  errorCode: number,
  message: string,
): { ok: false; errorCode: number; message: string } {
  return { ok: false, errorCode, message };
}

function newTopicId(): Buffer {
  for (;;) {
    const id = randomBytes(16);
    if (id.some((b) => b !== 0)) return id;
  }
}

/** Kafka's cluster ids are a random UUID in unpadded base64url (22 characters). */
function newClusterId(): string {
  return randomBytes(16).toString("base64url");
}

/**
 * Topics kept in the metadata log. State changes only by appending records and then
 * applying them, the same way start-up replays them. Changes run one at a time (a
 * promise chain), so two CreateTopics of one name cannot both succeed.
 */
export class LogTopicRegistry implements TopicRegistry {
  private readonly topics = new Map<string, TopicInfo>();
  private readonly byId = new Map<string, TopicInfo>();
  private readonly logs = new Map<string, Map<number, Promise<PartitionLog>>>();
  private chain: Promise<unknown> = Promise.resolve();
  private storedClusterId = "";

  constructor(
    private readonly storage: StorageEngine,
    private readonly config: BrokerConfig,
    private readonly metadata: MetadataLog,
    private readonly logger: Logger,
  ) {}

  get clusterId(): string {
    return this.config.clusterId !== "" ? this.config.clusterId : this.storedClusterId;
  }

  /** Rebuilds the state from the metadata log; writes a cluster id at first start. */
  async load(): Promise<void> {
    const topicRecords = new Map<string, TopicRecord>();
    const topicConfigs = new Map<string, ConfigRecord>();
    const records = await this.metadata.replay((e: MetadataEvent) => {
      if (e.kind === "topic") {
        if (e.record === null || e.record.deleted) topicRecords.delete(e.name);
        else topicRecords.set(e.name, e.record);
      } else if (e.resourceType === ResourceType.TOPIC) {
        if (e.record === null) topicConfigs.delete(e.name);
        else topicConfigs.set(e.name, e.record);
      } else if (e.resourceType === ResourceType.BROKER && e.name === "" && e.record !== null) {
        const id = e.record.entries.find((c) => c.name === CLUSTER_ID_CONFIG)?.value;
        if (id) this.storedClusterId = id;
      }
    });
    for (const [name, r] of topicRecords) {
      const overrides = new Map<string, string>();
      for (const c of topicConfigs.get(name)?.entries ?? []) {
        if (c.value !== null) overrides.set(c.name, c.value);
      }
      this.put(this.info(name, r.topicId, r.partitions, overrides));
    }
    if (this.storedClusterId === "") {
      this.storedClusterId = this.config.clusterId !== "" ? this.config.clusterId : newClusterId();
      await this.metadata.append([
        configEntry(
          createConfigRecord({
            resourceType: ResourceType.BROKER,
            resourceName: "",
            entries: [
              createConfigRecordConfigEntry({
                name: CLUSTER_ID_CONFIG,
                value: this.storedClusterId,
              }),
            ],
          }),
        ),
      ]);
    }
    this.logger.info("metadata replayed", {
      records,
      topics: this.topics.size,
      clusterId: this.clusterId,
    });
  }

  get(name: string): TopicInfo | undefined {
    return this.topics.get(name);
  }

  getById(id: Buffer): TopicInfo | undefined {
    return this.byId.get(id.toString("hex"));
  }

  list(): TopicInfo[] {
    return [...this.topics.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  }

  partition(topic: string, partition: number): Promise<PartitionLog | undefined> {
    const info = this.topics.get(topic);
    if (
      info === undefined ||
      !Number.isInteger(partition) ||
      partition < 0 ||
      partition >= info.partitions
    ) {
      return Promise.resolve(undefined);
    }
    let open = this.logs.get(topic);
    if (open === undefined) {
      open = new Map();
      this.logs.set(topic, open);
    }
    let log = open.get(partition);
    if (log === undefined) {
      log = this.storage.open({ topic, partition }, info.logConfig);
      // A failed open is not cached: the next request tries again.
      log.catch(() => open.delete(partition));
      open.set(partition, log);
    }
    return log;
  }

  create(
    name: string,
    partitions: number,
    overrides: ReadonlyMap<string, string>,
    validateOnly = false,
  ): Promise<TopicCreateResult> {
    return this.exclusive(async () => {
      const checked = this.checkCreate(name, partitions, overrides);
      if (!checked.ok) return checked;
      const topic = checked.topic;
      if (validateOnly) return { ok: true, topic };
      // Leftovers of a deletion interrupted by a crash must not reappear in the new topic.
      for (const tp of await this.storage.list()) {
        if (tp.topic === name) await this.storage.delete(tp);
      }
      await this.metadata.append([
        topicEntry(name, this.topicRecord(topic)),
        configEntry(this.configRecord(name, topic.overrides), topic.overrides.size === 0),
      ]);
      this.put(topic);
      this.logger.info("topic created", { topic: name, partitions: topic.partitions });
      return { ok: true, topic };
    });
  }

  async autoCreate(name: string): Promise<TopicCreateResult> {
    const existing = this.topics.get(name);
    if (existing !== undefined) return { ok: true, topic: existing };
    const result = await this.create(name, this.config.numPartitions, new Map());
    if (!result.ok && result.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) {
      const raced = this.topics.get(name);
      if (raced !== undefined) return { ok: true, topic: raced };
    }
    return result;
  }

  deleteTopic(name: string): Promise<AdminResult> {
    return this.exclusive(async () => {
      const topic = this.topics.get(name);
      if (topic === undefined)
        return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
      await this.metadata.append([
        topicEntry(name, null),
        configEntry(this.configRecord(name, new Map()), true),
      ]);
      this.topics.delete(name);
      this.byId.delete(topic.id.toString("hex"));
      const open = this.logs.get(name);
      this.logs.delete(name);
      // Let in-flight opens finish so storage.delete finds a settled log to close.
      await Promise.allSettled(open?.values() ?? []);
      const partitions = new Set(open?.keys() ?? []);
      for (const tp of await this.storage.list())
        if (tp.topic === name) partitions.add(tp.partition);
      for (const partition of partitions) await this.storage.delete({ topic: name, partition });
      this.logger.info("topic deleted", { topic: name });
      return { ok: true };
    });
  }

  createPartitions(name: string, count: number, validateOnly: boolean): Promise<AdminResult> {
    return this.exclusive(async () => {
      const topic = this.topics.get(name);
      if (topic === undefined)
        return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
      // Kafka's own wording: kafka-topics --alter prints it to the operator.
      if (count === topic.partitions) {
        return fail(ErrorCode.INVALID_PARTITIONS, `Topic already has ${count} partition(s).`);
      }
      if (count < topic.partitions) {
        return fail(
          ErrorCode.INVALID_PARTITIONS,
          `The topic ${name} currently has ${topic.partitions} partition(s); ${count} would not be an increase.`,
        );
      }
      if (count > MAX_PARTITIONS) {
        return fail(
          ErrorCode.INVALID_PARTITIONS,
          `Number of partitions must not exceed ${MAX_PARTITIONS}.`,
        );
      }
      if (validateOnly) return { ok: true };
      const grown = this.info(name, topic.id, count, topic.overrides);
      await this.metadata.append([topicEntry(name, this.topicRecord(grown))]);
      this.put(grown);
      this.logger.info("partitions added", { topic: name, partitions: count });
      return { ok: true };
    });
  }

  setOverrides(
    name: string,
    overrides: ReadonlyMap<string, string>,
    validateOnly: boolean,
  ): Promise<AdminResult> {
    return this.exclusive(async () => {
      const topic = this.topics.get(name);
      if (topic === undefined)
        return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
      const checked = checkTopicConfigs(overrides);
      if (!checked.ok) return checked;
      if (validateOnly) return { ok: true };
      const changed = this.info(name, topic.id, topic.partitions, new Map(overrides));
      await this.metadata.append([
        configEntry(this.configRecord(name, changed.overrides), overrides.size === 0),
      ]);
      this.put(changed);
      for (const log of this.logs.get(name)?.values() ?? []) {
        try {
          (await log).updateConfig(changed.logConfig);
        } catch {
          // A log that failed to open has nothing to update; the next open uses the new config.
        }
      }
      this.logger.info("topic config changed", {
        topic: name,
        overrides: [...overrides.keys()].join(","),
      });
      return { ok: true };
    });
  }

  private checkCreate(
    name: string,
    partitions: number,
    overrides: ReadonlyMap<string, string>,
  ): TopicCreateResult {
    const nameCheck = checkTopicName(name);
    if (!nameCheck.ok) return nameCheck;
    if (this.topics.has(name))
      return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    const key = collisionKey(name);
    const clash = [...this.topics.keys()].find((t) => collisionKey(t) === key);
    if (clash !== undefined) {
      return fail(
        ErrorCode.INVALID_TOPIC_EXCEPTION,
        `Topic '${name}' collides with existing topic: ${clash}`,
      );
    }
    const count = partitions === -1 ? this.config.numPartitions : partitions;
    if (!Number.isInteger(count) || count < 1) {
      return fail(
        ErrorCode.INVALID_PARTITIONS,
        "Number of partitions was set to an invalid non-positive value.",
      );
    }
    if (count > MAX_PARTITIONS) {
      return fail(
        ErrorCode.INVALID_PARTITIONS,
        `Number of partitions must not exceed ${MAX_PARTITIONS}.`,
      );
    }
    const configs = checkTopicConfigs(overrides);
    if (!configs.ok) return configs;
    let id = newTopicId();
    while (this.byId.has(id.toString("hex"))) id = newTopicId();
    return { ok: true, topic: this.info(name, id, count, new Map(overrides)) };
  }

  private info(
    name: string,
    id: Buffer,
    partitions: number,
    overrides: ReadonlyMap<string, string>,
  ): TopicInfo {
    return Object.freeze({
      name,
      id,
      partitions,
      overrides,
      logConfig: effectiveLogConfig(this.config, overrides),
      maxMessageBytes: effectiveMaxMessageBytes(this.config, overrides),
      timestampLimits: effectiveTimestampLimits(this.config, overrides),
      internal: isInternalTopic(name),
    });
  }

  private put(topic: TopicInfo): void {
    this.topics.set(topic.name, topic);
    this.byId.set(topic.id.toString("hex"), topic);
  }

  private topicRecord(topic: TopicInfo): TopicRecord {
    return createTopicRecord({
      name: topic.name,
      topicId: topic.id,
      partitions: topic.partitions,
      createdTimestamp: BigInt(Date.now()),
    });
  }

  private configRecord(name: string, overrides: ReadonlyMap<string, string>): ConfigRecord {
    return createConfigRecord({
      resourceType: ResourceType.TOPIC,
      resourceName: name,
      entries: [...overrides].map(([n, value]) =>
        createConfigRecordConfigEntry({ name: n, value }),
      ),
    });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }
}
