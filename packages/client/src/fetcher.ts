/**
 * Reads partitions from given offsets with Fetch, each leader asked for its partitions
 * at once: record batches decoded (and decompressed), control batches skipped, and with
 * read_committed the records of aborted transactions left out, as Kafka's consumer does.
 */
import {
  BATCH_HEADER_SIZE,
  BatchField,
  ControlRecordType,
  createFetchRequest,
  decodeBatch,
  decodeControlKey,
  ErrorCode,
  FetchApi,
  type FetchResponsePartitionData,
  LOG_OVERHEAD,
  type RecordHeader,
} from "@logbook/protocol";
import type { KafkaClient } from "./kafka-client.js";
import { KafkaError } from "./kafka-error.js";

export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** ms since the epoch (CreateTime or LogAppendTime, as the batch says). */
  readonly timestamp: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
}

export interface FetchPosition {
  readonly topic: string;
  readonly partition: number;
  offset: bigint;
  /** The high watermark as the last Fetch reported it (-1 before the first). */
  highWatermark: bigint;
}

export const IsolationLevel = { READ_UNCOMMITTED: 0, READ_COMMITTED: 1 } as const;

const MAX_BYTES = 8 * 1024 * 1024;
const PARTITION_MAX_BYTES = 1024 * 1024;

export class Fetcher {
  readonly positions: FetchPosition[];
  private readonly topicIds = new Map<string, Buffer>();
  private leaders = new Map<string, number>();

  constructor(
    private readonly client: KafkaClient,
    positions: readonly { topic: string; partition: number; offset: bigint }[],
    private readonly isolationLevel: number = IsolationLevel.READ_UNCOMMITTED,
  ) {
    this.positions = positions.map((p) => ({ ...p, highWatermark: -1n }));
  }

  private async refreshLeaders(): Promise<void> {
    const topics = [...new Set(this.positions.map((p) => p.topic))];
    const md = await this.client.metadata(topics);
    this.leaders = new Map();
    for (const t of md.topics) {
      if (t.errorCode !== 0) throw new KafkaError(t.errorCode, null, `topic ${t.name ?? ""}`);
      this.topicIds.set(t.name ?? "", t.topicId);
      for (const p of t.partitions) this.leaders.set(`${t.name}:${p.partitionIndex}`, p.leaderId);
    }
  }

  /**
   * One round of Fetch to every leader, waiting up to `maxWaitMs` for data; returns the
   * records read (in offset order per partition) and moves the positions past them.
   */
  async poll(maxWaitMs: number): Promise<ConsumedRecord[]> {
    if (this.leaders.size === 0) await this.refreshLeaders();
    const byLeader = new Map<number, FetchPosition[]>();
    for (const p of this.positions) {
      const leader = this.leaders.get(`${p.topic}:${p.partition}`) ?? -1;
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
    }
    const out = await Promise.all(
      [...byLeader].map(([leader, positions]) => this.fetchFrom(leader, positions, maxWaitMs)),
    );
    return out.flat();
  }

  private async fetchFrom(
    leader: number,
    positions: FetchPosition[],
    maxWaitMs: number,
  ): Promise<ConsumedRecord[]> {
    if (leader < 0) {
      this.leaders.clear();
      return [];
    }
    const conn = await this.client.broker(leader);
    const topics = [...new Set(positions.map((p) => p.topic))];
    const { body } = await conn.send(FetchApi, () =>
      createFetchRequest({
        replicaId: -1,
        maxWaitMs,
        minBytes: 1,
        maxBytes: MAX_BYTES,
        isolationLevel: this.isolationLevel,
        sessionId: 0,
        sessionEpoch: -1,
        topics: topics.map((topic) => ({
          topic,
          topicId: this.topicIds.get(topic) ?? Buffer.alloc(16),
          partitions: positions
            .filter((p) => p.topic === topic)
            .map((p) => ({
              partition: p.partition,
              currentLeaderEpoch: -1,
              fetchOffset: p.offset,
              lastFetchedEpoch: -1,
              logStartOffset: -1n,
              partitionMaxBytes: PARTITION_MAX_BYTES,
              replicaDirectoryId: Buffer.alloc(16),
            })),
        })),
      }),
    );
    if (body.errorCode !== 0) throw new KafkaError(body.errorCode, null, "Fetch");
    const records: ConsumedRecord[] = [];
    for (const t of body.responses) {
      const topic = t.topic !== "" ? t.topic : this.topicName(t.topicId);
      for (const data of t.partitions) {
        const position = positions.find(
          (p) => p.topic === topic && p.partition === data.partitionIndex,
        );
        if (position === undefined) continue;
        if (data.errorCode !== 0) {
          const e = new KafkaError(data.errorCode, null, `${topic}-${data.partitionIndex}`);
          if (!e.retriable) throw e;
          this.leaders.clear();
          continue;
        }
        position.highWatermark = data.highWatermark;
        records.push(...(await this.decode(topic, position, data)));
      }
    }
    return records;
  }

  private topicName(id: Buffer): string {
    for (const [name, tid] of this.topicIds) if (tid.equals(id)) return name;
    return "";
  }

  /** The records of a partition's answer from the position on; moves the position. */
  private async decode(
    topic: string,
    position: FetchPosition,
    data: FetchResponsePartitionData,
  ): Promise<ConsumedRecord[]> {
    const buf = data.records;
    if (buf === null) return [];
    // Producers whose records from an offset on were aborted (read_committed only).
    const aborted = new Map<bigint, bigint[]>();
    const list = [...(data.abortedTransactions ?? [])].sort((a, b) =>
      a.firstOffset < b.firstOffset ? -1 : 1,
    );
    for (const a of list)
      aborted.set(a.producerId, [...(aborted.get(a.producerId) ?? []), a.firstOffset]);
    const out: ConsumedRecord[] = [];
    let off = 0;
    while (off + BATCH_HEADER_SIZE <= buf.length) {
      const end = off + LOG_OVERHEAD + buf.readInt32BE(off + BatchField.batchLength);
      // The last batch of an answer may be cut short by the size limits.
      if (end > buf.length) break;
      const magic = buf.readInt8(off + BatchField.magic);
      if (magic !== 2)
        throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `record batch magic ${magic}`);
      const batch = await decodeBatch(buf, off);
      off = end;
      const next = batch.baseOffset + BigInt(batch.lastOffsetDelta) + 1n;
      if (next <= position.offset) continue;
      if (batch.isControl) {
        const marker = batch.records[0];
        if (marker !== undefined && decodeControlKey(marker.key).type === ControlRecordType.abort)
          aborted.get(batch.producerId)?.shift();
      } else if (
        !(batch.isTransactional && this.isAborted(aborted, batch.producerId, batch.baseOffset))
      ) {
        for (const r of batch.records) {
          const offset = batch.baseOffset + BigInt(r.offsetDelta);
          if (offset < position.offset) continue;
          out.push({
            topic,
            partition: position.partition,
            offset,
            timestamp:
              batch.timestampType === 1
                ? batch.maxTimestamp
                : batch.baseTimestamp + r.timestampDelta,
            key: r.key,
            value: r.value,
            headers: r.headers,
          });
        }
      }
      position.offset = next;
    }
    return out;
  }

  private isAborted(
    aborted: Map<bigint, bigint[]>,
    producerId: bigint,
    baseOffset: bigint,
  ): boolean {
    if (this.isolationLevel !== IsolationLevel.READ_COMMITTED) return false;
    const first = aborted.get(producerId)?.[0];
    return first !== undefined && baseOffset >= first;
  }
}
