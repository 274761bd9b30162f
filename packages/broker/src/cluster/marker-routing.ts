import {
  createWriteTxnMarkersRequest,
  createWriteTxnMarkersRequestWritableTxnMarker,
  createWriteTxnMarkersRequestWritableTxnMarkerTopic,
  ErrorCode,
  WriteTxnMarkersApi,
} from "@logbook/protocol";
import type { Logger } from "@logbook/storage";
import {
  type TopicPartitionRef,
  type TxnMarker,
  type TxnMarkerWriter,
  tpKey,
} from "../txn/contracts.js";
import { partitionsByTopic } from "../txn/queries.js";
import type { ClusterView } from "./cluster-view.js";
import type { PeerClients } from "./peer-clients.js";

/**
 * The transaction coordinator's markers go to each partition's leader, as in Kafka:
 * written here for the partitions this broker leads, sent as WriteTxnMarkers to the
 * broker leading the others (it appends the marker and ends the transaction in its
 * producer state in one step, so its last stable offset moves at once and a batch of
 * the producer's next transaction cannot land before the marker). A leader that cannot
 * be reached answers NETWORK_EXCEPTION for its partitions; the coordinator retries.
 */
export function routeMarkers(
  view: Pick<ClusterView, "shared" | "leaderOf" | "leads">,
  local: TxnMarkerWriter,
  peers: Pick<PeerClients, "send">,
  logger: Logger,
): TxnMarkerWriter {
  return {
    async writeMarkers(partitions, marker) {
      if (!view.shared) return local.writeMarkers(partitions, marker);
      const here: TopicPartitionRef[] = [];
      const elsewhere = new Map<number, TopicPartitionRef[]>();
      for (const tp of partitions) {
        if (view.leads(tp.topic, tp.partition)) here.push(tp);
        else {
          const leader = view.leaderOf(tp.topic, tp.partition);
          elsewhere.set(leader, [...(elsewhere.get(leader) ?? []), tp]);
        }
      }
      const answers = await Promise.all([
        here.length > 0 ? local.writeMarkers(here, marker) : new Map<string, number>(),
        ...[...elsewhere].map(([leader, tps]) => sendMarkers(peers, leader, tps, marker, logger)),
      ]);
      const out = new Map<string, number>();
      for (const codes of answers) for (const [k, code] of codes) out.set(k, code);
      return out;
    },
  };
}

async function sendMarkers(
  peers: Pick<PeerClients, "send">,
  leader: number,
  partitions: readonly TopicPartitionRef[],
  marker: TxnMarker,
  logger: Logger,
): Promise<Map<string, number>> {
  const out = new Map<string, number>(partitions.map((tp) => [tpKey(tp), ErrorCode.NONE]));
  try {
    const response = await peers.send(
      leader,
      WriteTxnMarkersApi,
      createWriteTxnMarkersRequest({
        markers: [
          createWriteTxnMarkersRequestWritableTxnMarker({
            producerId: marker.producerId,
            producerEpoch: marker.producerEpoch,
            transactionResult: marker.commit,
            coordinatorEpoch: marker.coordinatorEpoch,
            topics: partitionsByTopic(partitions).map((t) =>
              createWriteTxnMarkersRequestWritableTxnMarkerTopic({
                name: t.topic,
                partitionIndexes: t.partitions,
              }),
            ),
          }),
        ],
      }),
    );
    const answered = new Set<string>();
    for (const m of response.markers)
      for (const t of m.topics)
        for (const p of t.partitions) {
          const key = tpKey({ topic: t.name, partition: p.partitionIndex });
          answered.add(key);
          out.set(key, p.errorCode);
        }
    for (const key of out.keys())
      if (!answered.has(key)) out.set(key, ErrorCode.UNKNOWN_SERVER_ERROR);
  } catch (e) {
    logger.warn("sending transaction markers to the partitions' leader failed", {
      leader,
      error: e instanceof Error ? e.message : String(e),
    });
    for (const key of out.keys()) out.set(key, ErrorCode.NETWORK_EXCEPTION);
  }
  return out;
}
