import { randomBytes } from "node:crypto";
import { answer, type CoordinatorResult, CoordinatorRuntime } from "@logbook/group-coordinator";
import {
  createConfigRecord,
  createConfigRecordConfigEntry,
  createTopicRecord,
  ErrorCode,
  type ScramCredentialRecord,
} from "@logbook/protocol";
import type { Clock, Logger, PartitionLog, StorageEngine } from "@logbook/storage";
import type { AclChange, AclStore } from "../acl/acl-store.js";
import { type AclBinding, bindingFromWire } from "../acl/acl-types.js";
import type { BrokerConfig } from "../config.js";
import type { ClientQuotaStore, QuotaChange, StoredQuotas } from "../quotas/client-quotas.js";
import type { ScramChange, ScramCredentialStore } from "../sasl/scram-credentials.js";
import type { AdminResult, TopicCreateResult, TopicInfo, TopicRegistry } from "../topics.js";
import { aclEvent } from "./acl-records.js";
import type { GroupConfigStore } from "./group-configs.js";
import type { MetadataLog } from "./metadata-log.js";
import { type MetadataEvent, ResourceType } from "./metadata-records.js";
import {
  CLUSTER_ID_CONFIG,
  emptyMetadataState,
  type MetadataState,
  metadataReplay,
} from "./metadata-state.js";
import { quotaEvent } from "./quota-records.js";
import {
  checkTopicConfigs,
  effectiveLogConfig,
  effectiveMaxMessageBytes,
  effectiveTimestampLimits,
} from "./topic-config.js";
import { checkTopicName, collisionKey, isInternalTopic } from "./topic-names.js";

/** Far more than one broker should hold; stops a typo from building a huge Metadata answer. */
export const MAX_PARTITIONS = 100_000;

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

/** Whether the topic has this partition. */
function hasPartition(info: TopicInfo, partition: number): boolean {
  return Number.isInteger(partition) && partition >= 0 && partition < info.partitions;
}

/**
 * Topics kept in the metadata log, on a coordinator runtime shard: each change is an
 * operation returning its records, which are appended and then replayed by
 * `metadataReplay` (the start-up path) before it is answered. Changes run one at a
 * time, so two CreateTopics of one name cannot both succeed.
 */
export class LogTopicRegistry
  implements TopicRegistry, GroupConfigStore, ScramCredentialStore, AclStore, ClientQuotaStore
{
  private rt: CoordinatorRuntime<MetadataState, MetadataEvent> | null = null;
  private readonly logs = new Map<string, Map<number, Promise<PartitionLog>>>();
  /** What each open in `logs` resolved to, once it has: read by `openedPartition`. */
  private readonly opened = new WeakMap<Promise<PartitionLog>, PartitionLog>();
  private dropHook: (topic: string, partitions: readonly number[]) => Promise<void> = () =>
    Promise.resolve();
  /** Topics this broker is deleting (it removes their partitions itself). */
  private readonly deleting = new Set<string>();
  /** Topics another broker deleted whose partitions are still closing here. */
  private readonly releasing = new Map<string, Promise<void>>();

  constructor(
    private readonly storage: StorageEngine,
    private readonly config: BrokerConfig,
    private readonly metadata: MetadataLog,
    private readonly logger: Logger,
  ) {}

  /** The broker's one time source is the storage engine's. */
  private get clock(): Clock {
    return this.storage.clock;
  }

  /** The replayed state (empty until loaded). */
  private get state(): MetadataState {
    return this.rt?.state ?? NOT_LOADED;
  }

  private get topics(): ReadonlyMap<string, TopicInfo> {
    return this.state.topics;
  }

  /** FeatureStore: the levels UpdateFeatures set, kept in the metadata log. */
  get featureLevels(): ReadonlyMap<string, number> {
    return this.state.features;
  }

  get featureChanges(): number {
    return this.state.featureChanges;
  }

  /** Appends one record per feature, as one batch; durable before it resolves. */
  writeFeatureLevels(levels: ReadonlyMap<string, number>): Promise<void> {
    return this.run(() => ({
      records: [...levels].map(([name, level]) => ({ kind: "feature" as const, name, level })),
      response: undefined,
    }));
  }

  /** ScramCredentialStore: users' SCRAM credentials, kept in the metadata log. */
  get scramCredentials(): ReadonlyMap<string, ReadonlyMap<number, ScramCredentialRecord>> {
    return this.state.scram;
  }

  writeScramCredentials(changes: readonly ScramChange[]): Promise<void> {
    return this.run(() => ({
      records: changes.map((c) => ({ kind: "scram" as const, ...c })),
      response: undefined,
      appended: () =>
        this.logger.info("SCRAM credentials changed", {
          users: [...new Set(changes.map((c) => c.user))].join(","),
        }),
    }));
  }

  /** ClientQuotaStore: client quotas, kept in the metadata log. */
  get clientQuotas(): ReadonlyMap<string, StoredQuotas> {
    return this.state.quotas;
  }

  writeClientQuotas(changes: readonly QuotaChange[]): Promise<void> {
    return this.run(() => ({
      records: changes.map(quotaEvent),
      response: undefined,
      appended: () => this.logger.info("client quotas changed", { records: changes.length }),
    }));
  }

  get clusterId(): string {
    return this.config.clusterId !== "" ? this.config.clusterId : this.state.clusterId;
  }

  /** Rebuilds the state from the metadata log; writes a cluster id at first start. */
  async load(): Promise<void> {
    const replay = metadataReplay((name, id, partitions, overrides) =>
      this.info(name, id, partitions, overrides),
    );
    const rt = await CoordinatorRuntime.load({
      name: "__cluster_metadata-0",
      state: emptyMetadataState(),
      log: this.metadata,
      replay: (state, event) => {
        replay(state, event);
        if (event.kind === "topic" && event.record === null && !this.deleting.has(event.name))
          this.releaseDeleted(event.name);
      },
      clock: this.clock,
      logger: this.logger,
    });
    this.rt = rt;
    const records = rt.state.records;
    if (rt.state.clusterId === "") {
      const clusterId = this.config.clusterId !== "" ? this.config.clusterId : newClusterId();
      const record = createConfigRecord({
        resourceType: ResourceType.BROKER,
        resourceName: "",
        entries: [createConfigRecordConfigEntry({ name: CLUSTER_ID_CONFIG, value: clusterId })],
      });
      await rt.run(() => ({
        records: [{ kind: "config", resourceType: ResourceType.BROKER, name: "", record }],
        response: undefined,
      }));
    }
    this.logger.info("metadata replayed", {
      records,
      topics: this.topics.size,
      clusterId: this.clusterId,
    });
  }

  /** Runs a change on the metadata shard; refused before `load`. */
  private run<R>(
    op: (s: MetadataState) => Promise<MetadataResult<R>> | MetadataResult<R>,
  ): Promise<R> {
    if (this.rt === null) return Promise.reject(new Error("metadata is not loaded"));
    return this.rt.run(op);
  }

  get(name: string): TopicInfo | undefined {
    return this.topics.get(name);
  }

  getById(id: Buffer): TopicInfo | undefined {
    return this.state.byId.get(id.toString("hex"));
  }

  list(): TopicInfo[] {
    return [...this.topics.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  }

  openedPartition(topic: string, partition: number): PartitionLog | undefined | null {
    const info = this.topics.get(topic);
    if (info === undefined || !hasPartition(info, partition)) return undefined;
    const log = this.logs.get(topic)?.get(partition);
    return log === undefined ? null : (this.opened.get(log) ?? null);
  }

  partition(topic: string, partition: number): Promise<PartitionLog | undefined> {
    const info = this.topics.get(topic);
    if (info === undefined || !hasPartition(info, partition)) return Promise.resolve(undefined);
    let open = this.logs.get(topic);
    if (open === undefined) {
      open = new Map();
      this.logs.set(topic, open);
    }
    let log = open.get(partition);
    if (log === undefined) {
      const tp = { topic, partition };
      // A topic created again while the deleted one's logs close: the engine would
      // hand out a closing log until they have.
      const releasing = this.releasing.get(topic);
      log =
        releasing === undefined
          ? this.storage.open(tp, info.logConfig)
          : releasing.then(() => this.storage.open(tp, info.logConfig));
      const opening = log;
      // A failed open is not cached: the next request tries again.
      opening.then(
        (l) => this.opened.set(opening, l),
        () => open.delete(partition),
      );
      open.set(partition, opening);
    }
    return log;
  }

  create(
    name: string,
    partitions: number,
    overrides: ReadonlyMap<string, string>,
    validateOnly = false,
  ): Promise<TopicCreateResult> {
    return this.run(async (): Promise<MetadataResult<TopicCreateResult>> => {
      const checked = this.checkCreate(name, partitions, overrides);
      if (!checked.ok) return answer(checked);
      const topic = checked.topic;
      if (validateOnly) return answer({ ok: true, topic });
      // Leftovers of a deletion interrupted by a crash must not reappear in the new topic.
      const leftovers = (await this.storage.list()).filter((tp) => tp.topic === name);
      if (leftovers.length > 0) {
        await this.dropHook(
          name,
          leftovers.map((tp) => tp.partition),
        );
        for (const tp of leftovers) await this.storage.delete(tp);
      }
      return {
        records: [this.topicEvent(topic), this.configEvent(name, topic.overrides)],
        response: { ok: true, topic },
        appended: () =>
          this.logger.info("topic created", { topic: name, partitions: topic.partitions }),
      };
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
    return this.run((s): MetadataResult<AdminResult> => {
      if (!s.topics.has(name)) {
        return answer(
          fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`),
        );
      }
      this.deleting.add(name);
      return {
        records: [{ kind: "topic", name, record: null }, this.configEvent(name, new Map())],
        response: { ok: true },
        appended: () => this.dropPartitions(name),
      };
    }).finally(() => this.deleting.delete(name));
  }

  /**
   * Another broker over the same database deleted the topic (and removes its data):
   * the partitions open here are closed, so a topic created again under the name opens
   * its own, and what the data plane held for them is dropped.
   */
  private releaseDeleted(name: string): void {
    const open = this.logs.get(name);
    if (open === undefined) return;
    this.logs.delete(name);
    const release = async () => {
      const partitions: number[] = [];
      for (const [partition, pending] of open) {
        const log = await pending.catch(() => null);
        if (log === null) continue;
        partitions.push(partition);
        await log.close();
      }
      await this.dropHook(name, partitions);
    };
    const released = release().catch((err: unknown) =>
      this.logger.warn("releasing a topic another broker deleted failed", { topic: name }, err),
    );
    this.releasing.set(name, released);
    void released.then(() => {
      if (this.releasing.get(name) === released) this.releasing.delete(name);
    });
  }

  onPartitionsDropped(hook: (topic: string, partitions: readonly number[]) => Promise<void>): void {
    this.dropHook = hook;
  }

  /** After a deletion is stored: closes and deletes the topic's partitions. */
  private async dropPartitions(name: string): Promise<void> {
    const open = this.logs.get(name);
    this.logs.delete(name);
    // Let in-flight opens finish so storage.delete finds a settled log to close.
    await Promise.allSettled(open?.values() ?? []);
    const partitions = new Set(open?.keys() ?? []);
    for (const tp of await this.storage.list()) if (tp.topic === name) partitions.add(tp.partition);
    try {
      if (partitions.size > 0) await this.dropHook(name, [...partitions]);
    } catch (err) {
      // The deletion stands; the files stay until the name is created again, which
      // runs the hook again first.
      this.logger.error("removing a deleted topic's partitions failed", { topic: name }, err);
      return;
    }
    for (const partition of partitions) await this.storage.delete({ topic: name, partition });
    this.logger.info("topic deleted", { topic: name });
  }

  createPartitions(name: string, count: number, validateOnly: boolean): Promise<AdminResult> {
    return this.run((s): MetadataResult<AdminResult> => {
      const topic = s.topics.get(name);
      if (topic === undefined) {
        return answer(
          fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`),
        );
      }
      // Kafka's own wording: kafka-topics --alter prints it to the operator.
      if (count === topic.partitions) {
        return answer(
          fail(ErrorCode.INVALID_PARTITIONS, `Topic already has ${count} partition(s).`),
        );
      }
      if (count < topic.partitions) {
        return answer(
          fail(
            ErrorCode.INVALID_PARTITIONS,
            `The topic ${name} currently has ${topic.partitions} partition(s); ${count} would not be an increase.`,
          ),
        );
      }
      if (count > MAX_PARTITIONS) {
        return answer(
          fail(
            ErrorCode.INVALID_PARTITIONS,
            `Number of partitions must not exceed ${MAX_PARTITIONS}.`,
          ),
        );
      }
      if (validateOnly) return answer({ ok: true });
      const grown = this.info(name, topic.id, count, topic.overrides);
      return {
        records: [this.topicEvent(grown)],
        response: { ok: true },
        appended: () => this.logger.info("partitions added", { topic: name, partitions: count }),
      };
    });
  }

  setOverrides(
    name: string,
    overrides: ReadonlyMap<string, string>,
    validateOnly: boolean,
  ): Promise<AdminResult> {
    return this.run((s): MetadataResult<AdminResult> => {
      if (!s.topics.has(name)) {
        return answer(
          fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`),
        );
      }
      const checked = checkTopicConfigs(overrides);
      if (!checked.ok) return answer(checked);
      if (validateOnly) return answer({ ok: true });
      return {
        records: [this.configEvent(name, overrides)],
        response: { ok: true },
        appended: () => this.reconfigure(name, overrides),
      };
    });
  }

  groupOverrides(groupId: string): ReadonlyMap<string, string> | undefined {
    return this.state.groupConfigs.get(groupId);
  }

  groupsWithOverrides(): string[] {
    return [...this.state.groupConfigs.keys()];
  }

  setGroupOverrides(groupId: string, overrides: ReadonlyMap<string, string>): Promise<void> {
    return this.run(() => ({
      records: [this.configEvent(groupId, overrides, ResourceType.GROUP)],
      response: undefined,
      appended: () =>
        this.logger.info("group config changed", {
          group: groupId,
          overrides: [...overrides.keys()].join(","),
        }),
    }));
  }

  aclBindings(): AclBinding[] {
    return [...this.state.acls.values()].map(bindingFromWire);
  }

  writeAcls(changes: readonly AclChange[]): Promise<void> {
    return this.run(() => ({ records: changes.map(aclEvent), response: undefined }));
  }

  /** After new overrides are stored: open logs take the topic's new effective config. */
  private async reconfigure(name: string, overrides: ReadonlyMap<string, string>): Promise<void> {
    const changed = this.topics.get(name);
    if (changed === undefined) return;
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
    while (this.state.byId.has(id.toString("hex"))) id = newTopicId();
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

  private topicEvent(topic: TopicInfo): MetadataEvent {
    const record = createTopicRecord({
      name: topic.name,
      topicId: topic.id,
      partitions: topic.partitions,
      createdTimestamp: BigInt(this.clock.now()),
    });
    return { kind: "topic", name: topic.name, record };
  }

  /** A topic's (or group's) overrides; none at all is a tombstone. */
  private configEvent(
    name: string,
    overrides: ReadonlyMap<string, string>,
    resourceType: number = ResourceType.TOPIC,
  ): MetadataEvent {
    const record = createConfigRecord({
      resourceType,
      resourceName: name,
      entries: [...overrides].map(([n, value]) =>
        createConfigRecordConfigEntry({ name: n, value }),
      ),
    });
    return {
      kind: "config",
      resourceType,
      name,
      record: overrides.size === 0 ? null : record,
    };
  }
}

type MetadataResult<R> = CoordinatorResult<MetadataEvent, R>;

/** What reads see before the log is replayed. */
const NOT_LOADED: MetadataState = emptyMetadataState();
