import { buildBatch, decodeRecordBatches } from "@logbook/protocol";
import { type Logger, logConfig, type PartitionLog, type StorageEngine } from "@logbook/storage";
import type { LogRecord, RecordLog } from "./record-log.js";

export const CONSUMER_OFFSETS_TOPIC = "__consumer_offsets";

const READ_BYTES = 1024 * 1024;

/**
 * RecordLog on the internal compacted topic `__consumer_offsets`/0. flush.messages=1
 * makes each append durable before the request that made it is answered; compaction
 * keeps the latest record per group and per (group, topic, partition).
 */
export async function openConsumerOffsetsLog(
  storage: StorageEngine,
  logger: Logger,
): Promise<RecordLog> {
  const log = await storage.open(
    { topic: CONSUMER_OFFSETS_TOPIC, partition: 0 },
    logConfig({
      cleanupPolicy: { delete: false, compact: true },
      retentionMs: -1,
      flushMessages: 1,
    }),
  );
  return new ConsumerOffsetsLog(log, logger.child({ component: "consumer-offsets-log" }));
}

class ConsumerOffsetsLog implements RecordLog {
  constructor(
    private readonly log: PartitionLog,
    private readonly logger: Logger,
  ) {}

  async append(records: readonly LogRecord[]): Promise<void> {
    if (records.length === 0) return;
    const now = BigInt(Date.now());
    const batch = await buildBatch(
      records.map((r) => ({ timestamp: now, key: r.key, value: r.value })),
    );
    await this.log.append(batch);
  }

  async replay(visit: (record: LogRecord) => void): Promise<void> {
    let offset = this.log.logStartOffset;
    let count = 0;
    for (;;) {
      const read = await this.log.read(offset, READ_BYTES);
      if (read.kind !== "ok" || read.records.length === 0) break;
      let next = offset;
      for await (const batch of decodeRecordBatches(read.records)) {
        const base = Number(batch.baseOffset);
        for (const r of batch.records) {
          // A read starts at a batch boundary; skip records before the resume point.
          if (base + r.offsetDelta < offset || r.key === null) continue;
          visit({ key: r.key, value: r.value });
          count++;
        }
        next = base + batch.lastOffsetDelta + 1;
      }
      if (next <= offset) break;
      offset = next;
    }
    this.logger.info("replayed __consumer_offsets", { records: count });
  }
}
