import { BatchField, ErrorCode, type RecordBatchHeader, validateBatch } from "@logbook/protocol";
import { firstKeylessRecord } from "@logbook/storage";
import type { TopicInfo } from "../topics.js";

const ZSTD = 4;
/** Produce v7 introduced zstd (KIP-110). */
const FIRST_ZSTD_PRODUCE_VERSION = 7;

export interface ProduceRefusal {
  ok: false;
  errorCode: number;
  message: string;
  /** Produce v8+: which record was at fault. */
  recordErrors?: { batchIndex: number; batchIndexErrorMessage: string | null }[];
}

export type ProducedBatchCheck = { ok: true; header: RecordBatchHeader } | ProduceRefusal;

function refuse(errorCode: number, message: string): ProduceRefusal {
  return { ok: false, errorCode, message };
}

/**
 * Checks one partition's records from a Produce request before anything is appended,
 * as Kafka's ProduceRequest.validateRecords and LogValidator do: exactly one magic-2
 * batch, intact framing and CRC, a codec the request version allows, within the
 * topic's max.message.bytes, not a control batch, recordsCount = lastOffsetDelta + 1,
 * a sequence when there is a producer id (and a producer id on transactional batches,
 * which the transaction coordinator checks at append), and keys on compacted topics. Compressed
 * payloads are not decompressed here except to look for keyless records; they are
 * stored as produced.
 */
export async function validateProducedBatch(
  records: Buffer | null,
  version: number,
  topic: TopicInfo,
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
    return refuse(ErrorCode.INVALID_RECORD, "clients may not produce control batches");
  if (h.isTransactional && h.producerId < 0n) {
    return refuse(ErrorCode.INVALID_RECORD, "a transactional batch needs a producer id");
  }
  if (h.recordsCount <= 0 || h.recordsCount !== h.lastOffsetDelta + 1) {
    return refuse(
      ErrorCode.INVALID_RECORD,
      `recordsCount ${h.recordsCount} does not match lastOffsetDelta ${h.lastOffsetDelta}`,
    );
  }
  if (h.producerId >= 0n && h.baseSequence < 0) {
    return refuse(
      ErrorCode.INVALID_RECORD,
      `producer id ${h.producerId} with sequence ${h.baseSequence}`,
    );
  }
  if (topic.logConfig.cleanupPolicy.compact) {
    let keyless: number;
    try {
      keyless = await firstKeylessRecord(records);
    } catch (err) {
      return refuse(ErrorCode.CORRUPT_MESSAGE, `records do not decode: ${String(err)}`);
    }
    if (keyless >= 0) {
      const message = "compacted topics accept only records with a key";
      return {
        ok: false,
        errorCode: ErrorCode.INVALID_RECORD,
        message,
        recordErrors: [{ batchIndex: keyless, batchIndexErrorMessage: message }],
      };
    }
  }
  return { ok: true, header: h };
}
