/**
 * A deliberately naive reference model of one partition log, written from the
 * PartitionLog doc comments and Kafka's rules, sharing no code with any engine. Segments
 * are lists of batches so retention can be predicted; every query is a linear scan.
 */
export interface ModelRecord {
  offset: number;
  timestamp: number;
}

export interface ModelBatch {
  baseOffset: number;
  lastOffset: number;
  /** The bytes a read must return: as appended, with baseOffset and epoch stamped. */
  bytes: Buffer;
  records: ModelRecord[];
}

interface ModelSegment {
  baseOffset: number;
  batches: ModelBatch[];
}

const sizeOf = (batches: readonly ModelBatch[]) => batches.reduce((n, b) => n + b.bytes.length, 0);
const newestIn = (s: ModelSegment) =>
  Math.max(-1, ...s.batches.flatMap((b) => b.records.map((r) => r.timestamp)));

/**
 * What a read may return: a prefix of `batches` (whole batches from the one holding the
 * fetch offset) of at least `atLeast` batches. Engines may stop at a segment end (Kafka
 * reads one segment at a time) but must fill maxBytes within that segment.
 */
export type ModelRead =
  | { kind: "ok"; batches: Buffer[]; atLeast: number }
  | { kind: "offset-out-of-range" };

export class LogModel {
  private segments: ModelSegment[] = [{ baseOffset: 0, batches: [] }];
  logStartOffset = 0;
  logEndOffset = 0;

  get sizeInBytes(): number {
    return this.segments.reduce((n, s) => n + sizeOf(s.batches), 0);
  }

  private get batches(): ModelBatch[] {
    return this.segments.flatMap((s) => s.batches);
  }

  /** Batch boundaries a read may be bounded by: every base offset, and the log end. */
  get boundaries(): number[] {
    return [...this.batches.map((b) => b.baseOffset), this.logEndOffset];
  }

  /** One append call: `batches` are the producer's bytes, `records` their timestamps. */
  append(sent: { bytes: Buffer; timestamps: number[] }[], epoch: number, segmentBytes: number) {
    const baseOffset = this.logEndOffset;
    const batches = sent.map(({ bytes, timestamps }): ModelBatch => {
      const stamped = Buffer.from(bytes);
      stamped.writeBigInt64BE(BigInt(this.logEndOffset), 0);
      stamped.writeInt32BE(epoch, 12);
      const base = this.logEndOffset;
      this.logEndOffset += timestamps.length;
      return {
        baseOffset: base,
        lastOffset: this.logEndOffset - 1,
        bytes: stamped,
        records: timestamps.map((timestamp, i) => ({ offset: base + i, timestamp })),
      };
    });
    const active = this.segments[this.segments.length - 1]!;
    if (active.batches.length > 0 && sizeOf(active.batches) + sizeOf(batches) > segmentBytes) {
      this.segments.push({ baseOffset, batches });
    } else {
      active.batches.push(...batches);
    }
    return { baseOffset, lastOffset: this.logEndOffset - 1 };
  }

  read(fetchOffset: number, maxBytes: number, upperBound: number): ModelRead {
    if (fetchOffset < this.logStartOffset || fetchOffset > this.logEndOffset) {
      return { kind: "offset-out-of-range" };
    }
    const batches: Buffer[] = [];
    let atLeast = 0;
    let size = 0;
    let firstSegment: ModelSegment | null = null;
    for (const segment of this.segments) {
      for (const b of segment.batches) {
        if (b.lastOffset < fetchOffset) continue;
        if (b.lastOffset >= upperBound) return { kind: "ok", batches, atLeast };
        if (batches.length > 0 && size + b.bytes.length > maxBytes) {
          return { kind: "ok", batches, atLeast };
        }
        firstSegment ??= segment;
        batches.push(b.bytes);
        size += b.bytes.length;
        if (segment === firstSegment) atLeast++;
      }
    }
    return { kind: "ok", batches, atLeast };
  }

  private get liveRecords(): ModelRecord[] {
    return this.batches.flatMap((b) => b.records).filter((r) => r.offset >= this.logStartOffset);
  }

  offsetForTimestamp(timestamp: number): ModelRecord | null {
    return this.liveRecords.find((r) => r.timestamp >= timestamp) ?? null;
  }

  maxTimestamp(): ModelRecord | null {
    let best: ModelRecord | null = null;
    for (const r of this.liveRecords) if (!best || r.timestamp > best.timestamp) best = r;
    return best;
  }

  truncateTo(offset: number): void {
    if (offset >= this.logEndOffset) return;
    const holder = this.batches.find((b) => b.baseOffset <= offset && offset <= b.lastOffset);
    if (!holder) throw new Error(`model: no batch holds ${offset}`);
    const cut = holder.baseOffset;
    while (
      this.segments.length > 1 &&
      this.segments[this.segments.length - 1]!.baseOffset >= offset
    ) {
      this.segments.pop();
    }
    const active = this.segments[this.segments.length - 1]!;
    active.batches = active.batches.filter((b) => b.baseOffset < cut);
    this.logEndOffset = cut;
    this.logStartOffset = Math.min(this.logStartOffset, cut);
  }

  /**
   * Returns the new log start offset, or "range" when the offset is above the HW.
   * Closed segments wholly below the new start go at once.
   */
  deleteRecordsBefore(offset: number): number | "range" {
    if (offset > this.logEndOffset) return "range";
    if (offset > this.logStartOffset) {
      this.logStartOffset = offset;
      this.runRetention(-1, -1, 0);
    }
    return this.logStartOffset;
  }

  /**
   * One pass over the oldest closed segments: each goes if it lies wholly below the log
   * start, or its newest record is older than retentionMs, or the log without it still
   * holds retentionBytes; the first that stays ends the pass.
   */
  runRetention(retentionMs: number, retentionBytes: number, now: number): number {
    let freed = 0;
    while (this.segments.length > 1) {
      const [oldest, next] = this.segments as [ModelSegment, ModelSegment];
      const belowStart = next.baseOffset <= this.logStartOffset;
      const old = retentionMs >= 0 && now - newestIn(oldest) > retentionMs;
      const big =
        retentionBytes >= 0 && this.sizeInBytes - sizeOf(oldest.batches) >= retentionBytes;
      if (!(belowStart || old || big)) break;
      this.segments.shift();
      freed += sizeOf(oldest.batches);
      this.logStartOffset = Math.max(this.logStartOffset, next.baseOffset);
    }
    return freed;
  }
}
