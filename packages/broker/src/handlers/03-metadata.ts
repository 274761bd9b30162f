/**
 * Metadata (key 3), v0-v12.
 *
 * Brokers and leaders come from the cluster view: alone (file and memory engines) this
 * node leads every partition at leader epoch 0 and is the controller; over a shared
 * engine the live brokers reachable on the request's listener are listed, each
 * partition's leader is its rendezvous-hash owner among them, the leader epoch is the
 * membership's generation and the controller the lowest live node id. Either way
 * replicas and ISR = [leader] (the database replicates, not the brokers). Topic
 * selection: v0 an empty list means all topics; v1+ null means all, empty means none.
 * Unknown topics are auto-created with num.partitions when auto.create.topics.enable
 * is on and the request allows it (allow_auto_topic_creation from v4; always before),
 * otherwise UNKNOWN_TOPIC_OR_PARTITION; illegal names always get INVALID_TOPIC_EXCEPTION. v10+
 * carry topic ids and may name a topic by id alone (unknown id: UNKNOWN_TOPIC_ID).
 * ACLs: listing every topic leaves out those the principal may not DESCRIBE; a named
 * one is TOPIC_AUTHORIZATION_FAILED without DESCRIBE, and auto-creating it needs CREATE
 * on the cluster or the topic. Authorized operations (v8+), when asked: the operations
 * that apply and the ACLs allow, for each topic answered (unknown ones too) and the
 * cluster (v8-v10); every one without an authorizer, as Kafka; "not provided" when not
 * asked.
 * On a listener advertised.listeners leaves out, Kafka knows no endpoint of a node: it
 * is not listed, and each partition it leads has no leader (-1), it as an offline
 * replica and LISTENER_NOT_FOUND (v6+; LEADER_NOT_AVAILABLE before).
 * Simplified: an auto-created topic is answered at once, without the
 * LEADER_NOT_AVAILABLE round Kafka needs while its controller creates it.
 */
import {
  createMetadataResponse,
  createMetadataResponseBroker,
  createMetadataResponsePartition,
  createMetadataResponseTopic,
  ErrorCode,
  isZeroUuid,
  MetadataApi,
  type MetadataResponsePartition,
  type MetadataResponseTopic,
} from "@logbook/protocol";
import { AclResourceType, CLUSTER_NAME } from "../acl/acl-types.js";
import { allowed, authorizedOperations, clusterAllowed, Op, topicAllowed } from "../acl/check.js";
import type { ClusterView } from "../cluster/cluster-view.js";
import { defineHandler, type RequestContext } from "../handler.js";
import {
  CLUSTER_OPERATIONS,
  NOT_PROVIDED,
  TOPIC_OPERATIONS,
} from "../metadata/authorized-operations.js";
import { checkTopicName, isInternalTopic } from "../metadata/topic-names.js";
import type { TopicInfo } from "../topics.js";

const ZERO_ID = Buffer.alloc(16);

export function topicMetadata(
  topic: TopicInfo,
  cluster: ClusterView,
  listenerName: string,
  version: number,
): MetadataResponseTopic {
  const partitions = [];
  for (let p = 0; p < topic.partitions; p++) {
    const partition = createMetadataResponsePartition({
      errorCode: ErrorCode.NONE,
      partitionIndex: p,
      ...cluster.placement(topic.name, p),
      offlineReplicas: [],
    });
    if (cluster.addressOf(partition.leaderId, listenerName) === null)
      withoutLeaderEndpoint(partition, version);
    partitions.push(partition);
  }
  return createMetadataResponseTopic({
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.id,
    isInternal: topic.internal,
    partitions,
    topicAuthorizedOperations: NOT_PROVIDED,
  });
}

/** A partition whose leader has no endpoint on the request's listener. */
function withoutLeaderEndpoint(p: MetadataResponsePartition, version: number): void {
  p.errorCode = version >= 6 ? ErrorCode.LISTENER_NOT_FOUND : ErrorCode.LEADER_NOT_AVAILABLE;
  p.leaderId = -1;
  p.offlineReplicas = [...p.replicaNodes];
}

function topicError(
  errorCode: number,
  name: string | null,
  topicId: Buffer = ZERO_ID,
  isInternal = false,
) {
  return createMetadataResponseTopic({
    errorCode,
    name,
    topicId,
    isInternal,
    partitions: [],
    topicAuthorizedOperations: NOT_PROVIDED,
  });
}

async function byName(
  name: string,
  autoCreate: boolean,
  ctx: RequestContext,
): Promise<MetadataResponseTopic> {
  const { topics } = ctx.broker;
  const described = (t: TopicInfo) =>
    topicMetadata(t, ctx.broker.cluster, ctx.session.listenerName, ctx.version);
  if (!topicAllowed(ctx, Op.DESCRIBE, name))
    return topicError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, ZERO_ID, isInternalTopic(name));
  const existing = topics.get(name);
  if (existing !== undefined) return described(existing);
  const nameCheck = checkTopicName(name);
  if (!nameCheck.ok) return topicError(nameCheck.errorCode, name);
  if (!autoCreate) return topicError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name);
  // Creating needs CREATE on the cluster or on the topic, as Kafka.
  if (!clusterAllowed(ctx, Op.CREATE, true) && !topicAllowed(ctx, Op.CREATE, name))
    return topicError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, name);
  const created = await topics.autoCreate(name);
  if (created.ok) return described(created.topic);
  return topicError(created.errorCode, name);
}

export const metadataHandler = defineHandler({
  api: MetadataApi,
  minVersion: 0,
  maxVersion: 12,
  async handle(req, ctx) {
    const { broker, version } = ctx;
    const { cluster } = broker;
    const listener = ctx.session.listenerName;
    const described = (t: TopicInfo) => topicMetadata(t, cluster, listener, version);
    const all = req.topics === null || (version === 0 && req.topics.length === 0);
    const autoCreate =
      broker.config.autoCreateTopicsEnable && (version < 4 || req.allowAutoTopicCreation);
    let topics: MetadataResponseTopic[];
    if (all) {
      // Every topic the principal may DESCRIBE; the rest are left out, not refused.
      topics = broker.topics
        .list()
        .filter((t) => allowed(ctx, Op.DESCRIBE, AclResourceType.TOPIC, t.name, true))
        .map(described);
    } else {
      topics = [];
      for (const t of req.topics ?? []) {
        // The id wins when set, as in Kafka: the Java client sends name "" (not null)
        // beside the id it asks for.
        if (!isZeroUuid(t.topicId)) {
          const found = broker.topics.getById(t.topicId);
          topics.push(
            found === undefined
              ? topicError(ErrorCode.UNKNOWN_TOPIC_ID, null, t.topicId)
              : !topicAllowed(ctx, Op.DESCRIBE, found.name)
                ? topicError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, null, t.topicId)
                : described(found),
          );
        } else if (t.name !== null) {
          topics.push(await byName(t.name, autoCreate, ctx));
        } else {
          topics.push(topicError(ErrorCode.INVALID_REQUEST, null));
        }
      }
    }
    if (version >= 8 && req.includeTopicAuthorizedOperations)
      for (const t of topics) {
        if (t.errorCode === ErrorCode.TOPIC_AUTHORIZATION_FAILED) continue;
        t.topicAuthorizedOperations = authorizedOperations(
          ctx,
          AclResourceType.TOPIC,
          t.name ?? "",
          TOPIC_OPERATIONS,
        );
      }
    return createMetadataResponse({
      brokers: cluster.brokersOn(listener).map((b) => createMetadataResponseBroker(b)),
      clusterId: broker.topics.clusterId,
      controllerId: cluster.controllerId,
      topics,
      clusterAuthorizedOperations:
        version >= 8 && req.includeClusterAuthorizedOperations
          ? authorizedOperations(ctx, AclResourceType.CLUSTER, CLUSTER_NAME, CLUSTER_OPERATIONS)
          : NOT_PROVIDED,
    });
  },
});
