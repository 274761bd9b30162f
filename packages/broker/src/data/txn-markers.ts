import { buildEndTxnMarkerBatch, ErrorCode } from "@logbook/protocol";
import { AppendError, type PartitionLog } from "@logbook/storage";
import type { TxnMarker } from "../txn/contracts.js";
import type { PartitionProducerState } from "./producer-state.js";

/**
 * Writes one COMMIT/ABORT marker to a partition and ends the producer's transaction
 * there. The state changes in the same synchronous stretch as `log.append`, which
 * assigns the marker's offset at call time: every data batch whose append was called
 * before lands below the marker, and a batch after it cannot join the ended
 * transaction (pitfall 26). A failed append reopens the transaction.
 *
 * A marker with an epoch older than the producer's here is refused (a zombie
 * coordinator request); one for a producer with no open transaction is written and
 * changes nothing, as in Kafka.
 */
export async function writeMarker(
  log: PartitionLog,
  state: () => Promise<PartitionProducerState>,
  marker: TxnMarker,
  now: number,
): Promise<number> {
  const batch = await buildEndTxnMarkerBatch({
    commit: marker.commit,
    producerId: marker.producerId,
    producerEpoch: marker.producerEpoch,
    coordinatorEpoch: marker.coordinatorEpoch,
    timestamp: BigInt(now),
  });
  const s = await state();
  // From here to log.append nothing awaits.
  const current = s.epochOf(marker.producerId);
  if (current !== undefined && marker.producerEpoch < current)
    return ErrorCode.INVALID_PRODUCER_EPOCH;
  const markerOffset = log.logEndOffset;
  const appending = log.append(batch, { verifyCrc: false });
  const ended = s.endTransaction(
    {
      producerId: marker.producerId,
      epoch: marker.producerEpoch,
      coordinatorEpoch: marker.coordinatorEpoch,
      commit: marker.commit,
    },
    markerOffset,
    now,
  );
  try {
    await appending;
    return ErrorCode.NONE;
  } catch (err) {
    if (ended !== null) s.reopenTransaction(ended);
    if (err instanceof AppendError) {
      return err.reason === "closed"
        ? ErrorCode.NOT_LEADER_OR_FOLLOWER
        : ErrorCode.KAFKA_STORAGE_ERROR;
    }
    throw err;
  }
}
