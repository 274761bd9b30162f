import { decodeBatch, RecordBatchHeader } from "@logbook/protocol";

/**
 * A compacted log keeps the latest record per key, so a record without a key has no
 * meaning there; Kafka refuses such produce requests with INVALID_RECORD. Returns the
 * index (within the blob, counting every record) of the first keyless record in a
 * records blob, or -1 when every non-control record has a key. Decompresses as needed.
 */
export async function firstKeylessRecord(records: Buffer): Promise<number> {
  let index = 0;
  let at = 0;
  while (at < records.length) {
    const header = RecordBatchHeader.at(records, at);
    if (!header.decodedAttributes.isControl) {
      const batch = await decodeBatch(records, at, { verifyCrc: false });
      for (const r of batch.records) {
        if (r.key === null) return index;
        index++;
      }
    }
    at = header.end;
  }
  return -1;
}
