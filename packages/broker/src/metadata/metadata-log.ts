import { buildBatch, decodeRecordBatches } from "@logbook/protocol";
import { logConfig, type PartitionLog, type StorageEngine } from "@logbook/storage";
import { decodeEntry, type MetadataEntry, type MetadataEvent } from "./metadata-records.js";
import { METADATA_TOPIC } from "./topic-names.js";

const READ_BYTES = 1024 * 1024;

/**
 * The broker's own state as a compacted log (`__cluster_metadata`/0): every change is
 * appended as one batch, and start-up replays the log from its start. flush.messages=1
 * makes each change durable before the request that made it is answered.
 */
export class MetadataLog {
  private constructor(private readonly log: PartitionLog) {}

  static async open(storage: StorageEngine): Promise<MetadataLog> {
    const log = await storage.open(
      { topic: METADATA_TOPIC, partition: 0 },
      logConfig({
        cleanupPolicy: { compact: true, delete: false },
        retentionMs: -1,
        retentionBytes: -1,
        flushMessages: 1,
      }),
    );
    return new MetadataLog(log);
  }

  /** Appends the entries as one batch (all or nothing). */
  async append(entries: readonly MetadataEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const now = BigInt(Date.now());
    const batch = await buildBatch(
      entries.map((e) => ({ timestamp: now, key: e.key, value: e.value })),
    );
    await this.log.append(batch);
  }

  /** Calls `visit` for every record from the start of the log, in offset order. */
  async replay(visit: (event: MetadataEvent) => void): Promise<number> {
    let offset = this.log.logStartOffset;
    let count = 0;
    for (;;) {
      const read = await this.log.read(offset, READ_BYTES);
      if (read.kind !== "ok" || read.records.length === 0) break;
      let next = offset;
      for await (const batch of decodeRecordBatches(read.records)) {
        const base = Number(batch.baseOffset);
        for (const r of batch.records) {
          if (base + r.offsetDelta < offset || r.key === null) continue;
          const event = decodeEntry(r.key, r.value);
          if (event !== undefined) visit(event);
          count++;
        }
        next = base + batch.lastOffsetDelta + 1;
      }
      if (next <= offset) break;
      offset = next;
    }
    return count;
  }
}
