import { buildBatch, decodeRecordBatches } from "@logbook/protocol";
import { logConfig } from "./config.js";
import type { StorageEngine } from "./engine.js";
import type { Clock } from "./env/clock.js";
import type { PartitionLog } from "./partition-log.js";

/** One record of an internal log: a key and a value (null = tombstone). */
export interface KeyValueRecord {
  key: Buffer;
  value: Buffer | null;
}

const READ_BYTES = 1024 * 1024;

/**
 * A broker-internal compacted log (`__cluster_metadata`, `__consumer_offsets`,
 * `__producer_ids`, …): state is changed by appending key/value records and rebuilt at
 * start-up by replaying them from the start (Kappa style). Each append is one batch
 * (all or nothing) and is fsynced before it resolves, so a change acknowledged to a
 * client survives a power loss; compaction keeps the latest record per key.
 */
export class InternalLog {
  /** Offset after the last record this broker replayed or wrote. */
  private position = 0;
  /** Records of this broker's appends still in flight (they land right after `position`). */
  private inFlight = 0;

  private constructor(
    readonly log: PartitionLog,
    private readonly clock: Clock,
  ) {}

  static async open(storage: StorageEngine, topic: string, partition = 0): Promise<InternalLog> {
    const log = await storage.open(
      { topic, partition },
      logConfig({
        cleanupPolicy: { compact: true, delete: false },
        retentionMs: -1,
        retentionBytes: -1,
        flushMessages: 1,
      }),
    );
    return new InternalLog(log, storage.clock);
  }

  /**
   * Appends the records as one batch; resolves once they are durable. With
   * `conditional`, only if nobody appended since this broker's last replay or append
   * (else AppendError "conflict": catch up, decide again, retry).
   */
  async append(
    records: readonly KeyValueRecord[],
    timestamp = this.clock.now(),
    conditional = false,
  ): Promise<void> {
    if (records.length === 0) return;
    const ts = BigInt(timestamp);
    const batch = await buildBatch(
      records.map((r) => ({ timestamp: ts, key: r.key, value: r.value })),
    );
    // Expected where this broker's earlier appends, still in flight, will end.
    const expectedOffset = this.position + this.inFlight;
    this.inFlight += records.length;
    try {
      const result = await this.log.append(batch, conditional ? { expectedOffset } : undefined);
      this.position = Math.max(this.position, result.lastOffset + 1);
    } finally {
      this.inFlight -= records.length;
    }
  }

  /** True when records were appended (by another broker) past this broker's position. */
  get behind(): boolean {
    return this.log.highWatermark > this.position + this.inFlight;
  }

  /** Calls `visit` for every keyed record from the start of the log, in offset order. */
  replay(visit: (record: KeyValueRecord, offset: number) => void): Promise<number> {
    return this.replayFrom(this.log.logStartOffset, visit);
  }

  /** Calls `visit` for the records appended after this broker's position (by others). */
  catchUp(visit: (record: KeyValueRecord, offset: number) => void): Promise<number> {
    return this.replayFrom(this.position, visit);
  }

  private async replayFrom(
    from: number,
    visit: (record: KeyValueRecord, offset: number) => void,
  ): Promise<number> {
    let offset = Math.max(from, this.log.logStartOffset);
    let count = 0;
    while (offset < this.log.highWatermark) {
      const read = await this.log.read(offset, READ_BYTES);
      if (read.kind !== "ok" || read.records.length === 0) break;
      let next = offset;
      for await (const batch of decodeRecordBatches(read.records)) {
        const base = Number(batch.baseOffset);
        next = base + batch.lastOffsetDelta + 1;
        if (batch.isControl) continue;
        for (const r of batch.records) {
          const at = base + r.offsetDelta;
          if (at < offset || r.key === null) continue;
          visit({ key: r.key, value: r.value }, at);
          count++;
        }
      }
      if (next <= offset) break;
      offset = next;
    }
    this.position = Math.max(this.position, offset);
    return count;
  }
}
