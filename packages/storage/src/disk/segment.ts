import { join } from "node:path";
import { type Fs, type FsFile, hasErrorCode } from "../env/fs.js";
import { readBuffers } from "../read-buffers.js";
import {
  type AbortedTxn,
  decodeTxnIndex,
  encodeTxnIndex,
  type OpenTransactions,
  TXN_INDEX_ENTRY_SIZE,
} from "../transactions/index.js";
import { type BatchInfo, readAt, readInto, scanBatches } from "./batch-scan.js";
import {
  INDEX_SUFFIX,
  LOG_SUFFIX,
  SEGMENT_SUFFIXES,
  segmentFileName,
  TIME_INDEX_SUFFIX,
  TXN_INDEX_SUFFIX,
} from "./layout.js";
import { OffsetIndex, TimeIndex } from "./sparse-index.js";

const takeReadBuffer = (size: number): Buffer => readBuffers.take(size);

/** Read positions remembered per segment: about one per consumer of the partition. */
const KNOWN_STARTS_MAX = 64;

/**
 * One segment: a `.log` file of record batches plus its sparse `.index` and
 * `.timeindex`, and its `.txnindex` (kept in memory whole: one entry per aborted
 * transaction whose marker is here). Owned by one DiskPartitionLog, which serialises every mutation
 * (append, truncate, index writes) through its write queue; reads may run at any time
 * and only look at bytes below `size`, which moves after each write completes.
 */
export class Segment {
  /** Bytes written and visible to readers. */
  size: number;
  /** Offset after the last batch in this segment. */
  nextOffset: number;
  /** Largest batch max-timestamp in the segment (-1 when empty), and that batch's base. */
  maxTimestamp = -1;
  offsetOfMaxTimestamp = -1;
  /** When the segment got its first batch (for segment.ms). */
  firstAppendTime = -1;
  /** The transaction index: aborted transactions whose ABORT marker is in this segment. */
  abortedTxns: AbortedTxn[] = [];
  private txnPersisted = 0;
  /** Whether the `.txnindex` file is known to exist (persisting skips a no-op write). */
  private txnFileWritten = false;
  private offsetIndex: OffsetIndex | null;
  private timeIndex: TimeIndex | null;
  private bytesSinceIndexEntry = 0;
  private readers = 0;
  private retired = false;
  private closed = false;
  /**
   * Where batches start, by base offset, learnt from where earlier reads ended: a
   * consumer reading on from its last fetch skips the index lookup and header scan (one
   * file read instead of two). Bounded, oldest first out; cleared on truncation.
   */
  private readonly knownStarts = new Map<number, number>();

  private constructor(
    private readonly fs: Fs,
    readonly dir: string,
    readonly baseOffset: number,
    private readonly fh: FsFile,
    size: number,
    indexes: { offset: OffsetIndex; time: TimeIndex } | null,
  ) {
    this.size = size;
    this.nextOffset = baseOffset;
    this.offsetIndex = indexes?.offset ?? null;
    this.timeIndex = indexes?.time ?? null;
  }

  path(suffix: string): string {
    return join(this.dir, segmentFileName(this.baseOffset, suffix));
  }

  static async create(fs: Fs, dir: string, baseOffset: number): Promise<Segment> {
    const fh = await fs.open(join(dir, segmentFileName(baseOffset, LOG_SUFFIX)), "w+");
    for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX]) {
      await fs.rm(join(dir, segmentFileName(baseOffset, suffix)), { force: true });
    }
    return new Segment(fs, dir, baseOffset, fh, 0, {
      offset: new OffsetIndex(),
      time: new TimeIndex(),
    });
  }

  /** Opens an existing segment; indexes load lazily (or are rebuilt) when first needed. */
  static async open(fs: Fs, dir: string, baseOffset: number): Promise<Segment> {
    const fh = await fs.open(join(dir, segmentFileName(baseOffset, LOG_SUFFIX)), "r+");
    const { size } = await fh.stat();
    return new Segment(fs, dir, baseOffset, fh, size, null);
  }

  /** The `.log` file's modification time (ms): retention's clock for a segment without timestamps. */
  async fileModifiedTime(): Promise<number> {
    return (await this.fh.stat()).mtimeMs;
  }

  get indexesLoaded(): boolean {
    return this.offsetIndex !== null;
  }

  /**
   * Loads `.index` / `.timeindex`, keeping only entries for the first `trustedSize`
   * bytes (below `trustedNextOffset`); a missing or corrupt file is rebuilt by scanning
   * the log. Returns true when it had to rebuild.
   */
  async loadIndexes(
    trustedSize: number,
    indexIntervalBytes: number,
    trustedNextOffset = Number.POSITIVE_INFINITY,
  ): Promise<boolean> {
    const [offsetBytes, timeBytes] = await Promise.all([
      readWhole(this.fs, this.path(INDEX_SUFFIX)),
      readWhole(this.fs, this.path(TIME_INDEX_SUFFIX)),
    ]);
    const offset = offsetBytes === null ? null : OffsetIndex.parse(offsetBytes, this.size);
    const time = timeBytes === null ? null : TimeIndex.parse(timeBytes);
    if (offset === null || time === null) {
      await this.rebuildIndexes(trustedSize, indexIntervalBytes);
      return true;
    }
    offset.truncateToPosition(trustedSize);
    if (trustedNextOffset !== Number.POSITIVE_INFINITY) {
      time.truncateToRelativeOffset(trustedNextOffset - this.baseOffset);
    }
    this.offsetIndex = offset;
    this.timeIndex = time;
    const last = time.last();
    if (last !== null) {
      this.maxTimestamp = last.timestamp;
      this.offsetOfMaxTimestamp = this.baseOffset + last.relativeOffset;
    }
    return false;
  }

  /**
   * For a trusted closed segment: the max timestamp from the last time-index entry
   * (the only thing retention needs), without reading the whole index. A missing or
   * malformed time index means loading (and so rebuilding) both indexes.
   */
  async loadSummary(indexIntervalBytes: number): Promise<void> {
    const last = await readLastEntry(this.fs, this.path(TIME_INDEX_SUFFIX), TimeIndex.ENTRY_SIZE);
    const ts = last?.readBigInt64BE(0);
    const rel = last?.readInt32BE(8);
    // Sanity check (as Kafka's TimeIndex does): a torn or zeroed tail must not be
    // believed, or retention could delete live segments. Rebuild when in doubt.
    const plausible =
      last === null ||
      (ts !== undefined && rel !== undefined && ts > 0n && rel >= 0 && this.size > 0);
    if (last === undefined || !plausible) {
      await this.loadIndexes(this.size, indexIntervalBytes);
      this.unloadIndexes();
      return;
    }
    if (last !== null) {
      this.maxTimestamp = Number(ts);
      this.offsetOfMaxTimestamp = this.baseOffset + (rel as number);
    }
  }

  /**
   * Loads the transaction index, keeping entries whose marker is below
   * `trustedNextOffset`. False when the file is missing, torn or malformed (an entry at
   * or past `segmentEnd`, the next segment's base, included): it can only be rebuilt by a
   * scan that knows which transactions were open at the segment's start.
   */
  async loadTxnIndex(
    trustedNextOffset = Number.POSITIVE_INFINITY,
    segmentEnd = Number.POSITIVE_INFINITY,
  ): Promise<boolean> {
    const bytes = await readWhole(this.fs, this.path(TXN_INDEX_SUFFIX));
    const entries = bytes === null ? null : decodeTxnIndex(bytes, this.baseOffset, segmentEnd);
    if (entries === null) return false;
    this.abortedTxns = entries.filter((e) => e.lastOffset < trustedNextOffset);
    // A longer file is cut back at the next persist.
    this.txnPersisted = this.abortedTxns.length;
    this.txnFileWritten = this.txnPersisted === entries.length;
    return true;
  }

  /** Rebuilds both indexes from the batches in [0, upTo). */
  async rebuildIndexes(upTo: number, indexIntervalBytes: number): Promise<void> {
    this.offsetIndex = new OffsetIndex();
    this.timeIndex = new TimeIndex();
    this.bytesSinceIndexEntry = 0;
    this.nextOffset = this.baseOffset;
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = -1;
    for await (const item of scanBatches(this.fh, 0, upTo, false)) {
      if (item.kind !== "batch") break;
      this.track(item.info, indexIntervalBytes);
    }
    this.finishTimeIndex();
    // Markers past the data kept cannot be here any more.
    this.abortedTxns = this.abortedTxns.filter((e) => e.lastOffset < this.nextOffset);
    await this.persistIndexes(true);
  }

  unloadIndexes(): void {
    if (this.offsetIndex !== null && this.offsetIndex.persisted === this.offsetIndex.count) {
      this.offsetIndex = null;
      this.timeIndex = null;
    }
  }

  /** Records an appended (or recovered) batch in memory: indexes, max timestamp, next offset. */
  track(info: BatchInfo, indexIntervalBytes: number): void {
    const oi = this.offsetIndex;
    const ti = this.timeIndex;
    if (oi === null || ti === null) throw new Error("segment indexes not loaded");
    if (info.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = info.maxTimestamp;
      this.offsetOfMaxTimestamp = info.baseOffset;
    }
    if (this.bytesSinceIndexEntry > indexIntervalBytes) {
      oi.append(info.baseOffset - this.baseOffset, info.position);
      ti.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp - this.baseOffset);
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += info.size;
    this.nextOffset = info.lastOffset + 1;
  }

  /** A final time-index entry so its last entry always holds the segment's max timestamp. */
  finishTimeIndex(): void {
    if (this.maxTimestamp >= 0) {
      this.timeIndex?.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp - this.baseOffset);
    }
  }

  /**
   * Validates batches from `from` to the end of the file (length, magic, CRC-32C,
   * offsets increasing from `expectedNext`), tracking each good one; returns where the
   * first bad or torn batch starts, or null when the whole tail is good.
   */
  async recoverTail(
    from: number,
    expectedNext: number,
    indexIntervalBytes: number,
    txns: OpenTransactions,
  ): Promise<{ position: number; reason: string } | null> {
    let next = expectedNext;
    for await (const item of scanBatches(this.fh, from, this.size, true)) {
      if (item.kind === "invalid") return { position: item.position, reason: item.reason };
      const info = item.info;
      if (
        info.baseOffset < next ||
        info.baseOffset < this.baseOffset ||
        info.lastOffset < info.baseOffset
      ) {
        return {
          position: info.position,
          reason: `offset ${info.baseOffset} does not follow ${next - 1}`,
        };
      }
      this.track(info, indexIntervalBytes);
      const aborted = txns.observe(item.bytes as Buffer, 0);
      if (aborted !== null) this.abortedTxns.push(aborted);
      next = info.lastOffset + 1;
    }
    return null;
  }

  /**
   * Writes the buffers at the end of the file in one call; the caller then tracks them.
   * `now` is the append time (for segment.ms).
   */
  async write(buffers: Buffer[], total: number, now: number): Promise<void> {
    let position = this.size;
    let pending = buffers;
    let left = total;
    while (left > 0) {
      const { bytesWritten } = await this.fh.writev(pending, position);
      left -= bytesWritten;
      position += bytesWritten;
      if (left > 0) pending = dropBytes(pending, bytesWritten);
    }
    if (this.firstAppendTime < 0) this.firstAppendTime = now;
  }

  /** Cuts bytes a failed write left past `size` (the last good batch's end). */
  async discardTail(): Promise<void> {
    await this.fh.truncate(this.size);
  }

  /** Keeps the file open while a multi-step read is in progress (see `retire`). */
  acquire(): void {
    this.readers++;
  }

  async release(): Promise<void> {
    this.readers--;
    if (this.retired && this.readers === 0) await this.closeQuietly();
  }

  /**
   * Reads bytes of this segment into a buffer of the read-buffer pool (see
   * read-buffers.ts); the caller keeps `length` within `size`.
   */
  async read(position: number, length: number): Promise<Buffer> {
    this.readers++;
    try {
      return await readAt(this.fh, position, length, takeReadBuffer);
    } finally {
      this.readers--;
      if (this.retired && this.readers === 0) await this.closeQuietly();
    }
  }

  /** Position of the batch containing `offset` or the first after it; null when none. */
  async findBatch(offset: number, indexIntervalBytes: number): Promise<BatchInfo | null> {
    if (this.offsetIndex === null) await this.loadIndexes(this.size, indexIntervalBytes);
    const start = (this.offsetIndex as OffsetIndex).floorPosition(offset - this.baseOffset);
    this.readers++;
    try {
      for await (const item of scanBatches(this.fh, start, this.size, false)) {
        if (item.kind !== "batch") return null;
        if (item.info.lastOffset >= offset) return item.info;
      }
      return null;
    } finally {
      this.readers--;
      if (this.retired && this.readers === 0) await this.closeQuietly();
    }
  }

  /** Where to start scanning for the first record with timestamp >= ts. */
  async timestampScanStart(timestamp: number, indexIntervalBytes: number): Promise<number> {
    if (this.timeIndex === null) await this.loadIndexes(this.size, indexIntervalBytes);
    const rel = (this.timeIndex as TimeIndex).floorBefore(timestamp);
    return rel < 0 ? this.baseOffset : this.baseOffset + rel;
  }

  /** Batches from the one containing `offset` onwards, headers only. */
  async *batchesFrom(offset: number, indexIntervalBytes: number): AsyncGenerator<BatchInfo> {
    const first = await this.findBatch(offset, indexIntervalBytes);
    if (first === null) return;
    for await (const item of scanBatches(this.fh, first.position, this.size, false)) {
      if (item.kind !== "batch") return;
      yield item.info;
    }
  }

  /** Every stored batch, validated (length, magic, CRC), as whole-batch Buffers. */
  async *storedBatches(): AsyncGenerator<Buffer> {
    this.acquire();
    try {
      for await (const item of scanBatches(this.fh, 0, this.size, true)) {
        if (item.kind !== "batch" || item.bytes === undefined) {
          throw new Error(
            `segment ${this.baseOffset} is corrupt: ${item.kind === "invalid" ? item.reason : "no bytes"}`,
          );
        }
        yield item.bytes;
      }
    } finally {
      await this.release();
    }
  }

  /** Producer id and base offset of every batch, from headers only. */
  async *batchHeaders(): AsyncGenerator<{ producerId: bigint; baseOffset: number }> {
    this.acquire();
    try {
      let pos = 0;
      while (pos < this.size) {
        const h = await readAt(this.fh, pos, 61);
        if (h.length < 61) return;
        yield { producerId: h.readBigInt64BE(43), baseOffset: Number(h.readBigInt64BE(0)) };
        pos += h.readInt32BE(8) + 12;
      }
    } finally {
      await this.release();
    }
  }

  /** Cuts the log at a batch boundary and rebuilds the indexes for what is left. */
  async truncate(position: number, indexIntervalBytes: number): Promise<void> {
    this.knownStarts.clear();
    await this.fh.truncate(position);
    this.size = position;
    await this.rebuildIndexes(position, indexIntervalBytes);
  }

  /**
   * The last batch boundary in (position, position + maxBytes] known without reading,
   * with every batch before it below `bound`: an offset index entry, or the end of the
   * segment. Null when none is known (or the index is not loaded).
   */
  knownCut(
    position: number,
    maxBytes: number,
    bound: number,
  ): { position: number; offset: number } | null {
    const atMost = position + maxBytes;
    // Bytes below `size` hold offsets below `nextOffset` (both move together after a write).
    if (this.size <= atMost && this.size > position && this.nextOffset <= bound)
      return { position: this.size, offset: this.nextOffset };
    const entry = this.offsetIndex?.lastEntryWithin(position, atMost, bound - this.baseOffset);
    if (entry === undefined || entry === null) return null;
    return { position: entry.position, offset: this.baseOffset + entry.relativeOffset };
  }

  /**
   * Fills `into` with the bytes at `position`; rejects when fewer are there (the file was
   * cut meanwhile), since whoever sized the read has already promised them.
   */
  async readInto(into: Buffer, position: number): Promise<void> {
    this.acquire();
    try {
      const done = await readInto(this.fh, into, position);
      if (done < into.length)
        throw new Error(
          `segment ${this.baseOffset}: ${into.length - done} bytes missing at ${position + done}`,
        );
    } finally {
      await this.release();
    }
  }

  /**
   * Where the batch at this offset starts, known without a read: the segment's first
   * batch starts at 0 (after compaction it may hold a later offset, the first at or
   * after this one), later ones where an earlier read ended.
   */
  knownStart(offset: number): number | undefined {
    return offset === this.baseOffset ? 0 : this.knownStarts.get(offset);
  }

  rememberStart(offset: number, position: number): void {
    if (this.knownStarts.size >= KNOWN_STARTS_MAX) {
      const oldest = this.knownStarts.keys().next().value;
      if (oldest !== undefined) this.knownStarts.delete(oldest);
    }
    this.knownStarts.set(offset, position);
  }

  /** Writes index entries not yet on disk; `rewrite` replaces the files entirely. */
  async persistIndexes(rewrite = false): Promise<void> {
    // Always written (even empty): below the recovery point a missing file means damage.
    if (rewrite || !this.txnFileWritten || this.txnPersisted < this.abortedTxns.length) {
      if (rewrite) this.txnPersisted = 0;
      await appendIndexFile(
        this.fs,
        this.path(TXN_INDEX_SUFFIX),
        encodeTxnIndex(this.abortedTxns.slice(this.txnPersisted)),
        this.txnPersisted * TXN_INDEX_ENTRY_SIZE,
      );
      this.txnPersisted = this.abortedTxns.length;
      this.txnFileWritten = true;
    }
    const oi = this.offsetIndex;
    const ti = this.timeIndex;
    if (oi === null || ti === null) return;
    if (rewrite) {
      oi.persisted = 0;
      ti.persisted = 0;
    }
    await appendIndexFile(
      this.fs,
      this.path(INDEX_SUFFIX),
      oi.unpersistedBytes(),
      oi.persisted * OffsetIndex.ENTRY_SIZE,
    );
    oi.persisted = oi.count;
    await appendIndexFile(
      this.fs,
      this.path(TIME_INDEX_SUFFIX),
      ti.unpersistedBytes(),
      ti.persisted * TimeIndex.ENTRY_SIZE,
    );
    ti.persisted = ti.count;
  }

  async sync(): Promise<void> {
    await this.fh.datasync();
  }

  /** Renames every file of the segment (e.g. to `.deleted`) and closes it once unread. */
  async retire(newSuffix: string): Promise<string[]> {
    const renamed = await this.renameFiles(newSuffix);
    await this.retireRenamed();
    return renamed;
  }

  /**
   * Renames the files but keeps serving reads from the open handle: a compaction swap
   * renames the old segment before its replacement is in the segment list, and readers
   * may still pick it from there until `retireRenamed`.
   */
  async renameFiles(newSuffix: string): Promise<string[]> {
    const renamed: string[] = [];
    for (const suffix of SEGMENT_SUFFIXES) {
      const from = this.path(suffix);
      const to = `${from}${newSuffix}`;
      try {
        await this.fs.rename(from, to);
        renamed.push(to);
      } catch (e) {
        if (!hasErrorCode(e, "ENOENT")) throw e;
      }
    }
    return renamed;
  }

  /** No new reader can reach the segment any more: close it once the last one is done. */
  async retireRenamed(): Promise<void> {
    this.retired = true;
    if (this.readers === 0) await this.closeQuietly();
  }

  async close(): Promise<void> {
    await this.closeQuietly();
  }

  private async closeQuietly(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }
}

async function readWhole(fs: Fs, path: string): Promise<Buffer | null> {
  try {
    const fh = await fs.open(path, "r");
    try {
      const { size } = await fh.stat();
      return await readAt(fh, 0, size);
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (hasErrorCode(e, "ENOENT")) return null;
    throw e;
  }
}

/** The last fixed-size entry of a file; null when empty, undefined when missing or malformed. */
async function readLastEntry(
  fs: Fs,
  path: string,
  entrySize: number,
): Promise<Buffer | null | undefined> {
  let fh: FsFile;
  try {
    fh = await fs.open(path, "r");
  } catch {
    return undefined;
  }
  try {
    const { size } = await fh.stat();
    if (size % entrySize !== 0) return undefined;
    if (size === 0) return null;
    return await readAt(fh, size - entrySize, entrySize);
  } finally {
    await fh.close();
  }
}

async function appendIndexFile(
  fs: Fs,
  path: string,
  bytes: Buffer,
  position: number,
): Promise<void> {
  const fh = await fs.open(path, "a+").then(async (h) => {
    await h.close();
    return fs.open(path, "r+");
  });
  try {
    if (bytes.length > 0) await fh.write(bytes, 0, bytes.length, position);
    await fh.truncate(position + bytes.length);
    // Index files are trusted below the recovery point, so they must be durable first.
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

function dropBytes(buffers: Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  let skip = n;
  for (const b of buffers) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    out.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return out;
}
