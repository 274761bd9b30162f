import type { AclBindingRecord, ConfigRecord, ScramCredentialRecord } from "@logbook/protocol";
import type { StoredQuotas } from "../quotas/client-quotas.js";
import type { TopicInfo } from "../topics.js";
import { type MetadataEvent, ResourceType } from "./metadata-records.js";
import { replayQuota } from "./quota-records.js";

export const CLUSTER_ID_CONFIG = "cluster.id";

/**
 * What the metadata log says: topics (by name and by id), overrides, group configs, the
 * cluster id, and the feature levels UpdateFeatures set.
 */
export interface MetadataState {
  readonly topics: Map<string, TopicInfo>;
  readonly byId: Map<string, TopicInfo>;
  /** Topic config overrides by topic name, as the latest config record has them. */
  readonly overrides: Map<string, ReadonlyMap<string, string>>;
  /** Group config overrides by group id (groups need not exist to be configured, as in Kafka). */
  readonly groupConfigs: Map<string, ReadonlyMap<string, string>>;
  /** ACL bindings by their identity (acl-types bindingKey). */
  readonly acls: Map<string, AclBindingRecord>;
  clusterId: string;
  /** Finalized feature levels set by UpdateFeatures (the rest stay at their default). */
  readonly features: Map<string, number>;
  /** Feature records replayed: the FinalizedFeaturesEpoch. */
  featureChanges: number;
  /** SCRAM credentials by user, then by mechanism type (1 SHA-256, 2 SHA-512). */
  readonly scram: Map<string, Map<number, ScramCredentialRecord>>;
  /** Client quotas by entity identity (quota-entity entityId). */
  readonly quotas: Map<string, StoredQuotas>;
  /** Records installed since start-up (the start-up log line reports them). */
  records: number;
}

export function emptyMetadataState(): MetadataState {
  return {
    topics: new Map(),
    byId: new Map(),
    overrides: new Map(),
    groupConfigs: new Map(),
    acls: new Map(),
    clusterId: "",
    features: new Map(),
    featureChanges: 0,
    scram: new Map(),
    quotas: new Map(),
    records: 0,
  };
}

/** Builds a topic's TopicInfo (its effective configs need the broker's settings). */
export type TopicInfoOf = (
  name: string,
  id: Buffer,
  partitions: number,
  overrides: ReadonlyMap<string, string>,
) => TopicInfo;

const NO_OVERRIDES: ReadonlyMap<string, string> = new Map();

function overridesOf(record: ConfigRecord): ReadonlyMap<string, string> {
  const overrides = new Map<string, string>();
  for (const c of record.entries) if (c.value !== null) overrides.set(c.name, c.value);
  return overrides;
}

function put(state: MetadataState, topic: TopicInfo): void {
  const before = state.topics.get(topic.name);
  if (before !== undefined) state.byId.delete(before.id.toString("hex"));
  state.topics.set(topic.name, topic);
  state.byId.set(topic.id.toString("hex"), topic);
}

/**
 * The replay function of the metadata shard: the only way topics, overrides, group
 * configs, ACLs, the cluster id, feature levels, SCRAM credentials and client quotas
 * change, at
 * start-up and after every append alike.
 */
export function metadataReplay(infoOf: TopicInfoOf): (s: MetadataState, e: MetadataEvent) => void {
  return (state, e) => {
    state.records++;
    if (e.kind === "feature") {
      state.features.set(e.name, e.level);
      state.featureChanges++;
      return;
    }
    if (e.kind === "scram") {
      replayScram(state.scram, e.user, e.mechanism, e.record);
      return;
    }
    if (e.kind === "quota") {
      replayQuota(state.quotas, e.id, e.record);
      return;
    }
    if (e.kind === "acl") {
      if (e.record === null) state.acls.delete(e.id);
      else state.acls.set(e.id, e.record);
      return;
    }
    if (e.kind === "topic") {
      if (e.record === null || e.record.deleted) {
        const gone = state.topics.get(e.name);
        if (gone !== undefined) state.byId.delete(gone.id.toString("hex"));
        state.topics.delete(e.name);
        return;
      }
      const overrides = state.overrides.get(e.name) ?? NO_OVERRIDES;
      put(state, infoOf(e.name, e.record.topicId, e.record.partitions, overrides));
      return;
    }
    if (e.resourceType === ResourceType.TOPIC) {
      if (e.record === null) state.overrides.delete(e.name);
      else state.overrides.set(e.name, overridesOf(e.record));
      const topic = state.topics.get(e.name);
      const overrides = state.overrides.get(e.name) ?? NO_OVERRIDES;
      if (topic !== undefined) put(state, infoOf(e.name, topic.id, topic.partitions, overrides));
      return;
    }
    if (e.resourceType === ResourceType.GROUP) {
      if (e.record === null) state.groupConfigs.delete(e.name);
      else state.groupConfigs.set(e.name, overridesOf(e.record));
      return;
    }
    if (e.resourceType === ResourceType.BROKER && e.name === "" && e.record !== null) {
      const id = e.record.entries.find((c) => c.name === CLUSTER_ID_CONFIG)?.value;
      if (id) state.clusterId = id;
    }
  };
}

function replayScram(
  scram: MetadataState["scram"],
  user: string,
  mechanism: number,
  record: ScramCredentialRecord | null,
): void {
  const mechanisms = scram.get(user);
  if (record !== null) {
    if (mechanisms === undefined) scram.set(user, new Map([[mechanism, record]]));
    else mechanisms.set(mechanism, record);
    return;
  }
  mechanisms?.delete(mechanism);
  if (mechanisms?.size === 0) scram.delete(user);
}
