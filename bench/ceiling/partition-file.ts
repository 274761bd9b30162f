/**
 * The ceiling's whole storage for one partition: one append-only file, and in memory
 * the base offset and file position of every batch. An append patches each batch's
 * base offset in place (the CRC does not cover it) and queues the bytes; one write is
 * in flight per file, and appends that queued up meanwhile go out together in the next
 * one (a single writev), which is what keeps a busy partition from costing a syscall
 * per request. An append is acknowledged and readable once written. No CRC check, no
 * record parsing, no index file, no fsync: the least a server can do and still serve
 * the bytes back by offset.
 */
import { type FileHandle, open } from "node:fs/promises";

interface PendingAppend {
  records: Buffer;
  written: () => void;
  failed: (e: unknown) => void;
  bases: number[];
  positions: number[];
  endOffset: number;
  endPosition: number;
}

export interface ReadResult {
  /** The bytes of whole batches, starting with the one holding the requested offset. */
  bytes: Buffer | null;
  highWatermark: number;
  outOfRange: boolean;
}

const BATCH_LENGTH_AT = 8;
const LAST_OFFSET_DELTA_AT = 23;
const BATCH_HEADER_BYTES = 61;

export class PartitionFile {
  /** Base offset and file position of each readable batch. */
  private bases: number[] = [];
  private positions: number[] = [];
  private readableEnd = 0;
  private readableOffset = 0;
  private reservedEnd = 0;
  private nextOffset = 0;
  private queue: PendingAppend[] = [];
  private writing = false;
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly file: FileHandle) {}

  static async create(path: string): Promise<PartitionFile> {
    return new PartitionFile(await open(path, "w+"));
  }

  get highWatermark(): number {
    return this.readableOffset;
  }

  /**
   * Appends a produced records field; resolves with the first batch's offset once the
   * write completed, or null when the bytes are not a sequence of whole batches.
   */
  async append(records: Buffer): Promise<number | null> {
    const bases: number[] = [];
    const positions: number[] = [];
    const first = this.nextOffset;
    let at = 0;
    let offset = this.nextOffset;
    while (at < records.length) {
      if (records.length - at < BATCH_HEADER_BYTES) return null;
      const size = 12 + records.readInt32BE(at + BATCH_LENGTH_AT);
      if (size < BATCH_HEADER_BYTES || at + size > records.length) return null;
      records.writeBigInt64BE(BigInt(offset), at);
      bases.push(offset);
      positions.push(this.reservedEnd + at);
      offset += records.readInt32BE(at + LAST_OFFSET_DELTA_AT) + 1;
      at += size;
    }
    this.reservedEnd += records.length;
    this.nextOffset = offset;
    const endOffset = offset;
    const endPosition = this.reservedEnd;
    await new Promise<void>((written, failed) => {
      this.queue.push({ records, written, failed, bases, positions, endOffset, endPosition });
      if (!this.writing) void this.drain();
    });
    return first;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.queue.length > 0) {
      const group = this.queue;
      this.queue = [];
      const position = this.readableEnd;
      try {
        let buffers = group.map((e) => e.records);
        let left = (group[group.length - 1] as PendingAppend).endPosition - position;
        let at = position;
        while (left > 0) {
          const { bytesWritten } = await this.file.writev(buffers, at);
          left -= bytesWritten;
          at += bytesWritten;
          if (left > 0) buffers = [Buffer.concat(buffers).subarray(bytesWritten)];
        }
      } catch (e) {
        for (const entry of group) entry.failed(e);
        continue;
      }
      for (const e of group) {
        for (let i = 0; i < e.bases.length; i++) {
          this.bases.push(e.bases[i] as number);
          this.positions.push(e.positions[i] as number);
        }
        this.readableOffset = e.endOffset;
        this.readableEnd = e.endPosition;
        e.written();
      }
      for (const wake of this.waiters) wake();
      this.waiters.clear();
    }
    this.writing = false;
  }

  /** Calls `wake` once, at the next append that becomes readable. */
  onAppend(wake: () => void): () => void {
    this.waiters.add(wake);
    return () => this.waiters.delete(wake);
  }

  /** Whole batches from the one holding `offset`, up to `maxBytes` (at least one batch). */
  async read(offset: number, maxBytes: number): Promise<ReadResult> {
    const highWatermark = this.readableOffset;
    if (offset > highWatermark || offset < 0)
      return { bytes: null, highWatermark, outOfRange: true };
    if (offset === highWatermark) return { bytes: null, highWatermark, outOfRange: false };
    const first = this.batchHolding(offset);
    const start = this.positions[first] as number;
    let end = this.readableEnd;
    if (end - start > maxBytes) {
      // End at the last batch boundary within the limit, but after at least one batch.
      const beyond = this.firstBatchAtOrAfter(start + maxBytes + 1);
      const boundary = beyond - 1 > first ? beyond - 1 : first + 1;
      if (boundary < this.positions.length) end = this.positions[boundary] as number;
    }
    const bytes = Buffer.allocUnsafe(end - start);
    await this.file.read(bytes, 0, bytes.length, start);
    return { bytes, highWatermark, outOfRange: false };
  }

  private batchHolding(offset: number): number {
    let lo = 0;
    let hi = this.bases.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.bases[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private firstBatchAtOrAfter(position: number): number {
    let lo = 0;
    let hi = this.positions.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.positions[mid] as number) < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}
