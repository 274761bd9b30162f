import { ErrorCode, type RecordBatchHeader } from "@logbook/protocol";
import { AppendError, type PartitionLog } from "@logbook/storage";
import type { DataPlane } from "./index.js";
import type { AppendTurn } from "./produce-order.js";
import { type BatchMetadata, lastSequence } from "./producer-state.js";

const DONE: Promise<void> = Promise.resolve();

export type ProduceOutcome =
  | { ok: true; baseOffset: number; logAppendTime: number; logStartOffset: number }
  | {
      ok: false;
      errorCode: number;
      message: string;
      /** Refused by the log's producer state (sequence, epoch): Kafka reports the log start. */
      byLog?: true;
    };

/**
 * Appends one validated batch. For an idempotent batch the sequence check, the
 * offset assignment and the state update happen in one synchronous stretch (the log
 * assigns offsets when `append` is called), so no other request for the same
 * partition can interleave between check and append. The state records the batch
 * before the write completes; a retried duplicate of an in-flight batch waits for it.
 * If the append then fails, the batch is forgotten again. A transactional batch must
 * first pass the transaction coordinator's check (its partition was added to the
 * producer's ongoing transaction); its first one here opens the transaction.
 * The append waits for its `turn` (data/produce-order.ts) and gives it up as soon as
 * the append is queued; the caller gives it up on every other way out.
 */
export async function appendProduced(
  plane: DataPlane,
  log: PartitionLog,
  header: RecordBatchHeader,
  records: Buffer,
  turn: AppendTurn,
): Promise<ProduceOutcome> {
  const producerId = header.producerId;
  if (producerId < 0n) {
    // Not needed for this batch, but loaded now (at once for a new partition) so that
    // the first read_committed fetch, which needs it for the LSO, does not wait for a
    // scan of everything appended until then; Kafka keeps it from the first append too.
    void plane.producerState(log);
    if (turn.ready !== null) await turn.ready;
    // The request's bytes are not touched after this: the log may keep them.
    const appending = log.append(records, { verifyCrc: false, handedOver: true });
    turn.release();
    return toOutcome(() => appending);
  }

  const state = await plane.producerState(log);
  if (turn.ready !== null) await turn.ready;
  // From here to log.append nothing awaits: check, record and append are atomic.
  const epoch = header.producerEpoch;
  const transactional = header.isTransactional;
  if (transactional) {
    const refused = checkTransaction(plane, log, producerId, epoch);
    if (refused !== null) return refused;
  }
  const firstSeq = header.baseSequence;
  const lastSeq = lastSequence(firstSeq, header.lastOffsetDelta);
  const verdict = state.check(producerId, epoch, firstSeq, lastSeq, transactional);
  if (verdict.kind === "error")
    return { ok: false, errorCode: verdict.errorCode, message: verdict.message, byLog: true };
  if (verdict.kind === "duplicate") {
    turn.release();
    try {
      await verdict.batch.written;
    } catch {
      return {
        ok: false,
        errorCode: ErrorCode.KAFKA_STORAGE_ERROR,
        message: "the original append failed",
      };
    }
    // Kafka answers a duplicate with the original's offsets and remembered timestamp.
    return {
      ok: true,
      baseOffset: verdict.batch.firstOffset,
      logAppendTime: verdict.batch.maxTimestamp,
      logStartOffset: log.logStartOffset,
    };
  }
  const firstOffset = log.logEndOffset;
  const appending = log.append(records, { verifyCrc: false, handedOver: true });
  const batch: BatchMetadata = {
    firstSeq,
    lastSeq,
    firstOffset,
    lastOffset: firstOffset + header.lastOffsetDelta,
    maxTimestamp: Number(header.maxTimestamp),
    written: DONE,
  };
  // The log's word wins should it differ from the prediction (and LogAppendTime is only
  // known once written); set before `written` settles, so a waiting duplicate sees it.
  batch.written = appending.then((r) => {
    batch.firstOffset = r.baseOffset;
    batch.lastOffset = r.baseOffset + header.lastOffsetDelta;
    if (r.logAppendTime >= 0) batch.maxTimestamp = r.logAppendTime;
  });
  batch.written.catch(() => state.forget(producerId, batch));
  state.record(producerId, epoch, batch, plane.clock.now(), transactional);
  turn.release();
  return toOutcome(() => appending);
}

/** The coordinator's word on a transactional batch: null = go ahead, else the refusal. */
function checkTransaction(
  plane: DataPlane,
  log: PartitionLog,
  producerId: bigint,
  epoch: number,
): ProduceOutcome | null {
  const check = plane.txnProduceCheck;
  if (check === null) {
    return {
      ok: false,
      errorCode: ErrorCode.INVALID_TXN_STATE,
      message: "no transaction coordinator is running",
    };
  }
  const tp = { topic: log.topic, partition: log.partition };
  const errorCode = check.checkTransactionalProduce(producerId, epoch, tp);
  if (errorCode === ErrorCode.NONE) return null;
  return {
    ok: false,
    errorCode,
    message: `transactional produce by producer ${producerId} epoch ${epoch} refused`,
  };
}

async function toOutcome(
  append: () => ReturnType<PartitionLog["append"]>,
): Promise<ProduceOutcome> {
  try {
    const r = await append();
    return {
      ok: true,
      baseOffset: r.baseOffset,
      logAppendTime: r.logAppendTime,
      logStartOffset: r.logStartOffset,
    };
  } catch (err) {
    if (err instanceof AppendError)
      return { ok: false, errorCode: appendErrorCode(err), message: err.message };
    throw err;
  }
}

function appendErrorCode(err: AppendError): number {
  switch (err.reason) {
    case "corrupt-batch":
      return ErrorCode.CORRUPT_MESSAGE;
    case "invalid-batch":
      return ErrorCode.INVALID_RECORD;
    case "record-list-too-large":
      return ErrorCode.RECORD_LIST_TOO_LARGE;
    case "storage":
      return ErrorCode.KAFKA_STORAGE_ERROR;
    case "closed":
    case "conflict":
    case "fenced":
      // Stopping, or another broker wrote first: a retriable error sends the client to
      // fresh metadata (produce passes no expected offset, so conflicts come from elsewhere).
      return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  }
}
