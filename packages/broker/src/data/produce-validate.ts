import {
  BatchField,
  type BatchRecordsSummary,
  ErrorCode,
  type RecordBatchHeader,
  type RecordProblem,
  setCreateTimeMaxTimestamp,
  summarizeBatchRecords,
  validateBatch,
} from "@logbook/protocol";
import type { TopicInfo } from "../topics.js";

const ZSTD = 4;
/** Produce v7 introduced zstd (KIP-110). */
const FIRST_ZSTD_PRODUCE_VERSION = 7;

export interface ProduceRefusal {
  ok: false;
  errorCode: number;
  message: string;
  /**
   * Found by Kafka's log (LogValidator) rather than by request checks: Kafka then
   * reports the partition's log start offset beside the error, else -1.
   */
  byLog?: true;
  /** Produce v8+: which record was at fault. */
  recordErrors?: { batchIndex: number; batchIndexErrorMessage: string | null }[];
}

/** A batch ready to append: `records` is the request's bytes, normalised in place or rebuilt. */
export type ProducedBatchCheck =
  | { ok: true; header: RecordBatchHeader; records: Buffer }
  | ProduceRefusal;

function refuse(errorCode: number, message: string): ProduceRefusal {
  return { ok: false, errorCode, message };
}

/** A refusal of LogValidator's (see ProduceRefusal.byLog). */
function refuseByLog(errorCode: number, message: string): ProduceRefusal {
  return { ok: false, errorCode, message, byLog: true };
}

/**
 * Checks one partition's records from a Produce request before anything is appended,
 * as Kafka's ProduceRequest.validateRecords and LogValidator do: exactly one magic-2
 * batch, intact framing and CRC, a codec the request version allows, within the
 * topic's max.message.bytes, not a control batch, recordsCount = lastOffsetDelta + 1,
 * a sequence when there is a producer id (and a producer id on transactional batches,
 * which the transaction coordinator checks at append). Then every record is walked
 * (compressed batches are decompressed for it, as Kafka does) and nothing the client
 * computed is trusted: see checkRecords.
 */
export async function validateProducedBatch(
  records: Buffer | null,
  version: number,
  topic: TopicInfo,
  now: number,
): Promise<ProducedBatchCheck> {
  if (records === null || records.length === 0) {
    return refuse(
      ErrorCode.INVALID_RECORD,
      "a produce request must carry exactly one record batch",
    );
  }
  if (records.length > BatchField.magic) {
    const magic = records.readInt8(BatchField.magic);
    if (magic !== 2)
      return refuse(ErrorCode.INVALID_RECORD, `produce v${version} requires magic 2, got ${magic}`);
  }
  const check = validateBatch(records, 0);
  if (!check.ok) {
    const code =
      check.reason === "bad-records-count" ? ErrorCode.INVALID_RECORD : ErrorCode.CORRUPT_MESSAGE;
    return refuse(code, `${check.reason}: ${check.detail}`);
  }
  const h = check.header;
  if (h.end !== records.length) {
    return refuse(
      ErrorCode.INVALID_RECORD,
      "a produce request must carry exactly one record batch",
    );
  }
  if (h.compression === ZSTD && version < FIRST_ZSTD_PRODUCE_VERSION) {
    return refuse(
      ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      `zstd needs produce v${FIRST_ZSTD_PRODUCE_VERSION}+`,
    );
  }
  if (h.sizeInBytes > topic.maxMessageBytes) {
    return refuse(
      ErrorCode.MESSAGE_TOO_LARGE,
      `batch of ${h.sizeInBytes} bytes exceeds max.message.bytes ${topic.maxMessageBytes}`,
    );
  }
  if (h.isControl)
    return refuseByLog(ErrorCode.INVALID_RECORD, "clients may not produce control batches");
  if (h.isTransactional && h.producerId < 0n) {
    return refuseByLog(ErrorCode.INVALID_RECORD, "a transactional batch needs a producer id");
  }
  if (h.recordsCount <= 0 || h.recordsCount !== h.lastOffsetDelta + 1) {
    return refuseByLog(
      ErrorCode.INVALID_RECORD,
      `recordsCount ${h.recordsCount} does not match lastOffsetDelta ${h.lastOffsetDelta}`,
    );
  }
  if (h.producerId >= 0n && h.baseSequence < 0) {
    return refuseByLog(
      ErrorCode.INVALID_RECORD,
      `producer id ${h.producerId} with sequence ${h.baseSequence}`,
    );
  }
  return checkRecords(records, h, topic, now);
}

/**
 * Kafka's LogValidator over the records: the real record count must equal the
 * header's; compacted topics refuse keyless records (INVALID_RECORD); CreateTime
 * timestamps must lie within message.timestamp.before/after.max.ms of now
 * (INVALID_TIMESTAMP); a batch claiming LogAppendTime is refused where Kafka refuses
 * it; a compressed batch's offset deltas must run 0..n-1. The header's max timestamp is then recomputed
 * from the records and written back (re-checksummed), so retention and ListOffsets by
 * time never act on a client's wrong value (sarama before 1.23 sends -1).
 * LogAppendTime topics get the broker's time at append (storage stamps it).
 */
async function checkRecords(
  records: Buffer,
  h: RecordBatchHeader,
  topic: TopicInfo,
  now: number,
): Promise<ProducedBatchCheck> {
  const logAppendTime = topic.logConfig.messageTimestampType === "LogAppendTime";
  const limits = topic.timestampLimits;
  let summary: BatchRecordsSummary;
  try {
    summary = await summarizeBatchRecords(
      h,
      {
        requireKeys: topic.logConfig.cleanupPolicy.compact,
        timestampBounds: logAppendTime
          ? null
          : { min: now - limits.beforeMaxMs, max: now + limits.afterMaxMs },
        claimsLogAppendTime: (h.attributes & 0x08) !== 0,
      },
      { maxOutputBytes: MAX_DECOMPRESSED_BYTES },
    );
  } catch (err) {
    const code = h.compression === 0 ? ErrorCode.INVALID_RECORD : ErrorCode.CORRUPT_MESSAGE;
    const message = `records do not decode: ${err instanceof Error ? err.message : err}`;
    return code === ErrorCode.CORRUPT_MESSAGE ? refuse(code, message) : refuseByLog(code, message);
  }
  if (summary.count !== h.recordsCount) {
    return refuseByLog(
      ErrorCode.INVALID_RECORD,
      `the batch claims ${h.recordsCount} records but holds ${summary.count}`,
    );
  }
  if (summary.problems.length > 0) return refuseRecords(summary.problems, topic, now);
  if (h.compression !== 0 && !summary.sequentialOffsetDeltas) {
    // Kafka means to rebuild such a compressed batch but fails with
    // UNKNOWN_SERVER_ERROR (4.4.0); no v2 client writes one, so it is refused plainly.
    // Uncompressed ones are stored as they are, as Kafka stores them.
    return refuseByLog(ErrorCode.INVALID_RECORD, "record offset deltas must run 0, 1, 2, …");
  }
  if (!logAppendTime) setCreateTimeMaxTimestamp(h, BigInt(summary.maxTimestamp));
  return { ok: true, header: h, records };
}

/** Decompression-bomb guard: a batch may not expand past this (Kafka has none; 256 MiB). */
const MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

function refuseRecords(problems: RecordProblem[], topic: TopicInfo, now: number): ProduceRefusal {
  const { beforeMaxMs, afterMaxMs } = topic.timestampLimits;
  const message = (p: RecordProblem): string => {
    switch (p.kind) {
      case "no-key":
        return `Compacted topic cannot accept message without key in topic partition ${topic.name}.`;
      case "log-append-time-claimed":
        return "Producer should not set timestamp type to LogAppendTime.";
      case "timestamp-out-of-range":
        return `Timestamp ${p.timestamp} of message with offset ${p.index} is out of range. The timestamp should be within [${now - beforeMaxMs}, ${now + afterMaxMs}]`;
    }
  };
  const recordErrors = problems.map((p) => ({
    batchIndex: p.index,
    batchIndexErrorMessage: message(p),
  }));
  const timestamps = problems.some((p) => p.kind !== "no-key");
  return {
    ok: false,
    byLog: true,
    errorCode: timestamps ? ErrorCode.INVALID_TIMESTAMP : ErrorCode.INVALID_RECORD,
    message: timestamps
      ? "One or more records have been rejected due to invalid timestamp"
      : `One or more records have been rejected due to ${problems.length} record errors`,
    recordErrors,
  };
}
