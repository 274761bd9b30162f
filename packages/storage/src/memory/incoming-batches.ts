import { RecordBatchHeader, validateBatch } from "@logbook/protocol";
import { AppendError } from "../partition-log.js";

/**
 * Splits appended bytes (already copied) into batch header views, refusing the whole
 * append when any batch is malformed so a bad request never half-lands.
 */
export function splitIncomingBatches(buf: Buffer, verifyCrc: boolean): RecordBatchHeader[] {
  if (buf.length === 0) throw new AppendError("invalid-batch", "append of zero batches");
  const headers: RecordBatchHeader[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const check = validateBatch(buf, pos);
    // validateBatch checks the CRC last, so a crc-mismatch means the structure is sound.
    if (!check.ok && !(check.reason === "crc-mismatch" && !verifyCrc)) {
      throw new AppendError(
        "corrupt-batch",
        `batch at byte ${pos}: ${check.reason} (${check.detail})`,
      );
    }
    const header = check.ok ? check.header : RecordBatchHeader.at(buf, pos);
    if (header.lastOffsetDelta < 0) {
      throw new AppendError("invalid-batch", `batch at byte ${pos}: negative lastOffsetDelta`);
    }
    headers.push(header);
    pos = header.end;
  }
  return headers;
}
