/**
 * WriteTxnMarkers (key 27), v1-v2: a transaction coordinator (another broker sharing
 * this one's database, or Kafka's Admin.abortTransaction) asks the leader to end a
 * producer's transaction in some of its partitions with a COMMIT or ABORT marker.
 * Per partition: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER where another
 * broker leads, INVALID_PRODUCER_EPOCH for a marker older than the producer's epoch
 * here, else the marker is appended and the transaction ended in the producer state
 * (data/txn-markers.ts). For `__consumer_offsets` the group coordinator completes the
 * producer's pending offsets instead. v0 is not served, as in Kafka 4.
 * ACLs: CLUSTER_ACTION on the cluster (CLUSTER_AUTHORIZATION_FAILED for every partition).
 */
import { CONSUMER_OFFSETS_TOPIC } from "@logbook/group-coordinator";
import {
  createWriteTxnMarkersResponse,
  createWriteTxnMarkersResponseWritableTxnMarkerPartitionResult,
  createWriteTxnMarkersResponseWritableTxnMarkerResult,
  createWriteTxnMarkersResponseWritableTxnMarkerTopicResult,
  ErrorCode,
  WriteTxnMarkersApi,
  type WriteTxnMarkersRequestWritableTxnMarker,
} from "@logbook/protocol";
import { clusterAllowed, Op } from "../acl/check.js";
import { defineHandler, type RequestContext } from "../handler.js";
import { type TopicPartitionRef, type TxnMarker, tpKey } from "../txn/index.js";

export const writeTxnMarkersHandler = defineHandler({
  api: WriteTxnMarkersApi,
  minVersion: 1,
  maxVersion: 2,
  async handle(req, ctx) {
    const allowed = clusterAllowed(ctx, Op.CLUSTER_ACTION);
    const markers = await Promise.all(
      req.markers.map(async (m) => {
        const codes = allowed
          ? await writeOne(ctx, m)
          : new Map<string, number>(
              everyPartition(m).map((tp) => [tpKey(tp), ErrorCode.CLUSTER_AUTHORIZATION_FAILED]),
            );
        return createWriteTxnMarkersResponseWritableTxnMarkerResult({
          producerId: m.producerId,
          topics: m.topics.map((t) =>
            createWriteTxnMarkersResponseWritableTxnMarkerTopicResult({
              name: t.name,
              partitions: t.partitionIndexes.map((partitionIndex) =>
                createWriteTxnMarkersResponseWritableTxnMarkerPartitionResult({
                  partitionIndex,
                  errorCode:
                    codes.get(tpKey({ topic: t.name, partition: partitionIndex })) ??
                    ErrorCode.UNKNOWN_SERVER_ERROR,
                }),
              ),
            }),
          ),
        });
      }),
    );
    return createWriteTxnMarkersResponse({ markers });
  },
});

function everyPartition(m: WriteTxnMarkersRequestWritableTxnMarker): TopicPartitionRef[] {
  return m.topics.flatMap((t) =>
    t.partitionIndexes.map((partition) => ({ topic: t.name, partition })),
  );
}

/** One producer's marker to each of its partitions: an error code per partition. */
async function writeOne(
  ctx: RequestContext,
  m: WriteTxnMarkersRequestWritableTxnMarker,
): Promise<Map<string, number>> {
  const { broker } = ctx;
  const marker: TxnMarker = {
    producerId: m.producerId,
    producerEpoch: m.producerEpoch,
    commit: m.transactionResult,
    coordinatorEpoch: m.coordinatorEpoch,
  };
  const codes = new Map<string, number>();
  const writable: TopicPartitionRef[] = [];
  let offsets = false;
  for (const tp of everyPartition(m)) {
    const info = broker.topics.get(tp.topic);
    if (info === undefined || tp.partition < 0 || tp.partition >= info.partitions)
      codes.set(tpKey(tp), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    else if (!broker.cluster.leads(tp.topic, tp.partition))
      codes.set(tpKey(tp), ErrorCode.NOT_LEADER_OR_FOLLOWER);
    else if (tp.topic === CONSUMER_OFFSETS_TOPIC) {
      offsets = true;
      codes.set(tpKey(tp), ErrorCode.NONE);
    } else writable.push(tp);
  }
  if (offsets) {
    const code = await completeOffsets(ctx, marker);
    for (const tp of everyPartition(m))
      if (tp.topic === CONSUMER_OFFSETS_TOPIC && codes.get(tpKey(tp)) === ErrorCode.NONE)
        codes.set(tpKey(tp), code);
  }
  if (writable.length > 0)
    for (const [k, code] of await broker.dataPlane.writeMarkers(writable, marker))
      codes.set(k, code);
  return codes;
}

/** The group coordinator makes the producer's pending offsets visible or drops them. */
async function completeOffsets(ctx: RequestContext, marker: TxnMarker): Promise<number> {
  const { groups } = ctx.broker;
  if (!groups.coordinating) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  try {
    await groups.completeTransaction(marker.producerId, marker.producerEpoch, marker.commit);
    return ErrorCode.NONE;
  } catch {
    return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
  }
}
