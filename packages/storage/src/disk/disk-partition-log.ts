import { BATCH_HEADER_SIZE } from "@logbook/protocol";
import type { LogConfig } from "../config.js";
import { type Clock, repeatEvery } from "../env/clock.js";
import type { Fs } from "../env/fs.js";
import { assignOffsets, type IncomingBatch, parseIncoming } from "../incoming-batches.js";
import type { Logger } from "../logger.js";
import {
  type AbortedTxn,
  AppendError,
  type AppendOptions,
  type AppendResult,
  conflictError,
  type PartitionLog,
  type ReadResult,
  type SizedRead,
  type TimestampLookup,
} from "../partition-log.js";
import { readBuffers } from "../read-buffers.js";
import { BELOW_LOG_START_ONLY, type SegmentSummary, segmentsToDelete } from "../retention.js";
import { collectAborted } from "../transactions/collect-aborted.js";
import { OpenTransactions } from "../transactions/open-transactions.js";
import { batchInfoAt } from "./batch-scan.js";
import { writeCheckpoint } from "./checkpoint.js";
import { type CompactionTarget, compactOnce, type SwapStep } from "./compaction.js";
import { DELETED_SUFFIX } from "./layout.js";
import { RecentAppends, sharedTurnRetention, type TurnRetention } from "./recent-appends.js";
import { recoverPartition, removeRetired } from "./recovery.js";
import { Segment } from "./segment.js";
import { SegmentList } from "./segment-list.js";
import { maxTimestamp, offsetForTimestamp } from "./timestamp-search.js";

interface PendingAppend {
  records: Buffer;
  /** AppendOptions.handedOver: the records may be kept for reads this turn. */
  handedOver: boolean;
  batches: IncomingBatch[];
  firstOffset: number;
  lastOffset: number;
  recordCount: number;
  logAppendTime: number;
  resolve: (r: AppendResult) => void;
  reject: (e: Error) => void;
}

export interface DiskLogOptions {
  fs: Fs;
  clock: Clock;
  logger: Logger;
  /** How often the recovery checkpoint is written (it fsyncs first). */
  checkpointIntervalMs: number;
  /**
   * Runs a periodic checkpoint; the engine passes one queue for all its logs, so the
   * logs of a topic, opened together and so due together, fsync one after another
   * instead of filling the thread pool all at once, which stalls every append behind them.
   */
  queueCheckpoint?: (checkpoint: () => Promise<void>) => Promise<void>;
  /** Test hook: called after each step of a compaction swap (throw to simulate a crash). */
  onSwapStep?: (step: SwapStep, base: number) => void;
  /** When the appends kept for reads at the tail are forgotten (tests); the turn's end. */
  recentAppends?: TurnRetention;
}

/**
 * A partition log on disk (Kafka's layout; see packages/storage/README.md).
 *
 * Concurrency: `append` assigns offsets synchronously and queues the bytes; one drain
 * loop writes everything queued so far with a single writev per segment, applies the
 * flush policy, then makes the group visible (high watermark) and resolves it. Every
 * other mutation (roll, truncate, retention, checkpoint, close) runs through the same
 * serial chain, so they never interleave with a write. Reads are not serialised: they
 * look only below the high watermark and pin the segment they read from, so retention
 * can remove a segment without breaking a read in progress (see SegmentList).
 */
export class DiskPartitionLog implements PartitionLog {
  private readonly segments: SegmentList;
  private startOffset: number;
  private nextOffset: number;
  private visibleEnd: number;
  private queue: PendingAppend[] = [];
  private draining = false;
  /** checkpointState() when the checkpoint was last written ("" = not this run). */
  private checkpointed = "";
  private chain: Promise<unknown> = Promise.resolve();
  private unflushedRecords = 0;
  private oldestUnflushed = -1;
  private recoveryPoint: { segment: number; position: number; offset: number };
  private lsoHook: ((hw: number) => number) | null = null;
  /** Open transactions as of the written end: what new index entries and checkpoints use. */
  private txns: OpenTransactions;
  /**
   * The same as of logEndOffset (queued appends included), and the aborted transactions
   * the queued appends end: a marker's entry is visible to abortedTransactions from the
   * moment it is appended, since the transaction layer lets read_committed reads reach
   * the transaction's data from then on.
   */
  private assignedTxns: OpenTransactions;
  private pendingAborted: AbortedTxn[] = [];
  private listeners = new Set<() => void>();
  private stopTimers: (() => void)[] = [];
  private failure: Error | null = null;
  /** A failed write may have left bytes past the active segment's size: cut them first. */
  private dirtyTail = false;
  private closed = false;
  private cleanerOffset: number;
  private compacting: Promise<number> | null = null;
  /**
   * Counters for tests and metrics: appends accepted, writev calls, fsyncs of log data,
   * reads that started from a remembered position, reads served by this turn's appends,
   * reads sized before their bytes were read (readSized).
   */
  readonly stats = {
    appends: 0,
    writes: 0,
    syncs: 0,
    readsFromKnownStart: 0,
    readsFromRecentAppends: 0,
    readsSized: 0,
  };
  /** The batches appended this turn: a long poll they wake reads them without a file read. */
  private readonly recent: RecentAppends;

  private constructor(
    readonly dir: string,
    readonly topic: string,
    readonly partition: number,
    private cfg: LogConfig,
    private readonly opts: DiskLogOptions,
    segments: Segment[],
    logStartOffset: number,
    cleanerOffset: number,
    txns: OpenTransactions,
  ) {
    this.segments = new SegmentList(segments);
    this.recent = new RecentAppends(opts.recentAppends ?? sharedTurnRetention());
    this.txns = txns;
    this.assignedTxns = txns.clone();
    this.cleanerOffset = cleanerOffset;
    const active = this.active;
    this.nextOffset = active.nextOffset;
    this.visibleEnd = active.nextOffset;
    this.startOffset = Math.min(Math.max(logStartOffset, this.first.baseOffset), this.nextOffset);
    this.recoveryPoint = {
      segment: active.baseOffset,
      position: active.size,
      offset: active.nextOffset,
    };
  }

  static async open(
    dir: string,
    topic: string,
    partition: number,
    config: LogConfig,
    opts: DiskLogOptions,
  ): Promise<DiskPartitionLog> {
    const logger = opts.logger.child({ topic, partition });
    const recovered = await recoverPartition(opts.fs, dir, config.indexIntervalBytes, logger);
    const log = new DiskPartitionLog(
      dir,
      topic,
      partition,
      config,
      { ...opts, logger },
      recovered.segments,
      recovered.logStartOffset,
      recovered.cleanerOffset,
      recovered.openTransactions,
    );
    // Make what recovery validated the new recovery point, so the next open skips it.
    if (recovered.scanned) await log.serial(() => log.checkpointNow());
    log.startTimers();
    return log;
  }

  get config(): LogConfig {
    return this.cfg;
  }
  get logStartOffset(): number {
    return this.startOffset;
  }
  get isClosed(): boolean {
    return this.closed;
  }

  get logEndOffset(): number {
    return this.nextOffset;
  }
  get highWatermark(): number {
    return this.visibleEnd;
  }
  get lastStableOffset(): number {
    return this.lsoHook === null
      ? this.visibleEnd
      : Math.min(this.visibleEnd, this.lsoHook(this.visibleEnd));
  }
  get sizeInBytes(): number {
    return this.segments.sizeInBytes;
  }
  get segmentCount(): number {
    return this.segments.count;
  }
  private get active(): Segment {
    return this.segments.active;
  }
  private get first(): Segment {
    return this.segments.first;
  }

  append(records: Buffer, options: AppendOptions = {}): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new AppendError("closed", "log is closed"));
    if (this.failure !== null) return Promise.reject(this.failure);
    if (options.expectedOffset !== undefined && options.expectedOffset !== this.nextOffset)
      return Promise.reject(conflictError(options.expectedOffset, this.nextOffset));
    let batches: IncomingBatch[];
    try {
      batches = parseIncoming(records, options.verifyCrc ?? true);
    } catch (e) {
      return Promise.reject(e);
    }
    const logAppendTime =
      this.cfg.messageTimestampType === "LogAppendTime" ? this.opts.clock.now() : -1;
    const firstOffset = this.nextOffset;
    this.nextOffset = assignOffsets(
      records,
      batches,
      firstOffset,
      options.leaderEpoch ?? 0,
      logAppendTime,
    );
    let recordCount = 0;
    for (const b of batches) {
      recordCount += b.recordsCount;
      const aborted = this.assignedTxns.observe(records, b.start);
      if (aborted !== null) this.pendingAborted.push(aborted);
    }
    this.stats.appends++;
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({
        records,
        handedOver: options.handedOver === true,
        batches,
        firstOffset,
        lastOffset: this.nextOffset - 1,
        recordCount,
        logAppendTime,
        resolve,
        reject,
      });
      if (!this.draining) this.kick();
    });
  }

  private kick(): void {
    this.draining = true;
    void this.serial(() => this.drain()).finally(() => {
      this.draining = false;
      if (this.queue.length > 0 && this.failure === null) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, this.queue.length);
      try {
        await this.writeGroup(group);
      } catch (e) {
        this.failGroup(group, e);
        return;
      }
      this.publish(group);
    }
  }

  /** Makes written appends visible (high watermark) and resolves them. */
  private publish(written: PendingAppend[]): void {
    this.visibleEnd = (written[written.length - 1] as PendingAppend).lastOffset + 1;
    for (const p of written) {
      if (p.handedOver) {
        const startsSegment = this.segments.floor(p.firstOffset).baseOffset === p.firstOffset;
        this.recent.add(p.records, p.firstOffset, p.lastOffset + 1, startsSegment);
      }
      p.resolve({
        baseOffset: p.firstOffset,
        lastOffset: p.lastOffset,
        logAppendTime: p.logAppendTime,
        logStartOffset: this.startOffset,
      });
    }
    for (const l of this.listeners) l();
  }

  /**
   * A failed group write. A failed write (disk full, read-only file system) is undone:
   * the appends not yet stored, and everything queued behind them, fail with a storage
   * error, their offsets are handed out again, and later appends are tried afresh. A
   * failed fsync is not retried (the kernel may have dropped the unsynced pages), so
   * then the log goes offline until the broker restarts and recovery validates the tail.
   */
  private failGroup(group: PendingAppend[], e: unknown): void {
    const f = e instanceof GroupWriteFailure ? e : new GroupWriteFailure(0, false, asError(e));
    const stored = group.slice(0, f.stored);
    const failed = [...group.slice(f.stored), ...this.queue.splice(0)];
    let err: AppendError;
    if (f.recoverable) {
      this.nextOffset = (failed[0] as PendingAppend).firstOffset;
      // The refused appends never happened: transactions they opened or ended are undone.
      this.assignedTxns = this.txns.clone();
      this.pendingAborted = [];
      err = new AppendError("storage", `log write failed: ${f.cause.message}`);
      this.opts.logger.warn("write failed; the appends were refused", {
        error: f.cause.message,
        refused: failed.length,
      });
    } else {
      err = new AppendError("storage", `log write failed, log is offline: ${f.cause.message}`);
      this.failure = err;
      this.opts.logger.error("fsync failed; the log refuses further appends", {
        error: f.cause.message,
      });
    }
    if (stored.length > 0) this.publish(stored);
    for (const p of failed) p.reject(err);
  }

  /**
   * Writes a group of appends (rolling segments as needed), then applies the flush
   * policy. On failure throws a GroupWriteFailure saying how many leading appends are
   * stored: those before the failing segment write, which the roll in between synced.
   * A failed fsync stores only what an earlier roll of the group synced: the appends it
   * should have made durable are refused, never acknowledged.
   */
  private async writeGroup(group: PendingAppend[]): Promise<void> {
    const interval = this.cfg.indexIntervalBytes;
    let i = 0;
    /** Appends of this group a roll has synced. */
    let synced = 0;
    const step = async <T>(fn: () => Promise<T>, recoverable = true): Promise<T> => {
      try {
        return await fn();
      } catch (e) {
        const syncFailed = e instanceof SyncFailure;
        throw new GroupWriteFailure(
          syncFailed ? synced : i,
          recoverable && !syncFailed,
          asError(e),
        );
      }
    };
    if (this.dirtyTail) {
      await step(() => this.active.discardTail());
      this.dirtyTail = false;
    }
    while (i < group.length) {
      const head = group[i] as PendingAppend;
      if (this.shouldRoll(head.records.length)) {
        await step(() => this.roll(head.firstOffset));
        synced = i;
      }
      const seg = this.active;
      const buffers: Buffer[] = [head.records];
      let total = head.records.length;
      let j = i + 1;
      while (
        j < group.length &&
        seg.size + total + (group[j] as PendingAppend).records.length <= this.cfg.segmentBytes
      ) {
        buffers.push((group[j] as PendingAppend).records);
        total += (group[j] as PendingAppend).records.length;
        j++;
      }
      try {
        await seg.write(buffers, total, this.opts.clock.now());
      } catch (e) {
        // Cut what part of the write landed; if even that fails, before the next write.
        await seg.discardTail().catch(() => {
          this.dirtyTail = true;
        });
        throw new GroupWriteFailure(i, true, asError(e));
      }
      this.stats.writes++;
      let position = seg.size;
      for (let k = i; k < j; k++) {
        const p = group[k] as PendingAppend;
        for (const b of p.batches) {
          seg.track(batchInfoAt(p.records, b.start, position + b.start), interval);
          // The marker's entry moves from the pending list into this segment's index.
          const aborted = this.txns.observe(p.records, b.start);
          if (aborted !== null) {
            seg.abortedTxns.push(aborted);
            this.pendingAborted.shift();
          }
        }
        position += p.records.length;
      }
      seg.size = position;
      i = j;
    }
    for (const p of group) this.unflushedRecords += p.recordCount;
    if (this.oldestUnflushed < 0) this.oldestUnflushed = this.opts.clock.now();
    if (this.unflushedRecords >= this.cfg.flushMessages) await step(() => this.syncActive());
  }

  private shouldRoll(incoming: number): boolean {
    const seg = this.active;
    if (seg.size === 0) return false;
    if (seg.size + incoming > this.cfg.segmentBytes) return true;
    return (
      seg.firstAppendTime >= 0 && this.opts.clock.now() - seg.firstAppendTime >= this.cfg.segmentMs
    );
  }

  /** Closes the active segment for writes and starts a new one at `baseOffset`. */
  private async roll(baseOffset: number): Promise<void> {
    const old = this.active;
    // Sync first: the appends already in `old` count as stored once the roll has begun.
    await syncOrFail(() => old.sync());
    old.finishTimeIndex();
    await old.persistIndexes();
    const seg = await Segment.create(this.opts.fs, this.dir, baseOffset);
    try {
      await this.opts.fs.syncDir(this.dir);
    } catch (e) {
      await seg.close();
      throw e;
    }
    this.segments.push(seg);
    this.recoveryPoint = { segment: seg.baseOffset, position: 0, offset: baseOffset };
    this.unflushedRecords = 0;
    this.oldestUnflushed = -1;
    // Recorded at once: after a crash, recovery then rescans at most the active segment,
    // not everything written since the last periodic checkpoint (a minute of writes can
    // be tens of GB, more than the page cache holds). Only an optimisation: a failure
    // leaves the previous checkpoint, which the next periodic one replaces.
    // The new segment's (empty) index files first: below the recovery point recovery
    // reads a missing one as damage.
    await seg
      .persistIndexes()
      .then(() => this.writeCheckpointFile())
      .catch((e: unknown) =>
        this.opts.logger.warn("writing the checkpoint after a roll failed", {
          error: e instanceof Error ? e.message : String(e),
        }),
      );
    this.opts.logger.debug("rolled a new segment", { baseOffset });
  }

  private async syncActive(): Promise<void> {
    const seg = this.active;
    await syncOrFail(() => seg.sync());
    this.stats.syncs++;
    this.recoveryPoint = { segment: seg.baseOffset, position: seg.size, offset: seg.nextOffset };
    this.unflushedRecords = 0;
    this.oldestUnflushed = -1;
  }

  async read(fetchOffset: number, maxBytes: number, upperBound?: number): Promise<ReadResult> {
    const hw = this.visibleEnd;
    if (fetchOffset < this.startOffset || fetchOffset > hw) {
      return {
        kind: "offset-out-of-range",
        highWatermark: hw,
        logStartOffset: this.startOffset,
        logEndOffset: this.nextOffset,
      };
    }
    const bound = Math.min(upperBound ?? hw, hw);
    const result = (records: Buffer): ReadResult => ({
      kind: "ok",
      records,
      highWatermark: hw,
      lastStableOffset: this.lastStableOffset,
      logStartOffset: this.startOffset,
    });
    if (fetchOffset >= bound) return result(EMPTY);
    const recent = this.recent.read(fetchOffset, maxBytes, bound);
    if (recent !== null) {
      this.stats.readsFromRecentAppends++;
      return result(recent);
    }
    const known = await this.readFromKnownStart(fetchOffset, maxBytes, bound);
    if (known !== null) return result(known);
    // Looked up again: retention may have dropped segments while the fast path waited.
    for (let i = this.segments.floorIndex(fetchOffset); i < this.segments.count; i++) {
      const seg = this.segments.at(i);
      const served = await this.segments.pinned(seg, async () => {
        const end = seg.size;
        const firstBatch = await this.segments.findBatch(
          seg,
          fetchOffset,
          this.cfg.indexIntervalBytes,
        );
        if (firstBatch === null) return null;
        if (firstBatch.baseOffset >= bound) return EMPTY;
        const want = Math.min(Math.max(maxBytes, firstBatch.size), end - firstBatch.position);
        const bytes = await seg.read(firstBatch.position, want);
        return this.served(seg, firstBatch.position, bytes, bound);
      });
      if (served !== null) return result(served);
    }
    return result(EMPTY);
  }

  readSized(fetchOffset: number, maxBytes: number, upperBound?: number): SizedRead | null {
    const hw = this.visibleEnd;
    const bound = Math.min(upperBound ?? hw, hw);
    // Out of range, nothing to read, or a read served from this turn's appends: `read`.
    if (fetchOffset < this.startOffset || fetchOffset >= bound) return null;
    if (this.recent.covers(fetchOffset)) return null;
    const seg = this.segments.floor(fetchOffset);
    const position = seg.knownStart(fetchOffset);
    if (position === undefined) return null;
    const cut = seg.knownCut(position, maxBytes, bound);
    const size = cut === null ? 0 : cut.position - position;
    // Nothing fits: only a read can say whether the next batch is larger than maxBytes.
    if (size === 0 && seg.knownCut(position, Number.MAX_SAFE_INTEGER, bound) === null) return null;
    return {
      size,
      firstOffset: fetchOffset,
      nextOffset: cut === null ? fetchOffset : cut.offset,
      highWatermark: hw,
      lastStableOffset: this.lastStableOffset,
      logStartOffset: this.startOffset,
      start: () => {
        if (size === 0 || cut === null) return { records: EMPTY, filled: Promise.resolve() };
        this.stats.readsSized++;
        seg.rememberStart(cut.offset, cut.position);
        const records = readBuffers.take(size);
        const filled = seg.readInto(records, position);
        // Whoever frames the response awaits it; a response dropped unsent must not
        // leave the failure unhandled.
        filled.catch(() => {});
        return { records, filled };
      },
    };
  }

  readSizeBound(fetchOffset: number, maxBytes: number): number | null {
    if (fetchOffset < this.startOffset || fetchOffset >= this.visibleEnd) return null;
    const recent = this.recent.bytesFrom(fetchOffset);
    if (recent !== null) return Math.min(recent, maxBytes);
    const seg = this.segments.floor(fetchOffset);
    const position = seg.knownStart(fetchOffset);
    return position === undefined ? null : Math.min(seg.size - position, maxBytes);
  }

  /**
   * The fast path of `read`: a fetch at a segment's base offset, or where an earlier
   * read of this segment ended, reads from that position at once. Null when nothing is remembered or
   * the bytes there are not the batch expected (then the index path runs).
   */
  private async readFromKnownStart(
    fetchOffset: number,
    maxBytes: number,
    bound: number,
  ): Promise<Buffer | null> {
    const seg = this.segments.floor(fetchOffset);
    const position = seg.knownStart(fetchOffset);
    if (position === undefined) return null;
    return this.segments.pinned(seg, async () => {
      const end = seg.size;
      if (position + BATCH_HEADER_SIZE > end) return null;
      let bytes = await seg.read(
        position,
        Math.min(Math.max(maxBytes, BATCH_HEADER_SIZE), end - position),
      );
      const first = batchInfoAt(bytes, 0, position);
      if (first.baseOffset !== fetchOffset || position + first.size > end) {
        readBuffers.giveBack(bytes);
        return null;
      }
      // At least one whole batch, however small maxBytes is (as Kafka does).
      if (first.size > bytes.length) {
        readBuffers.giveBack(bytes);
        bytes = await seg.read(position, first.size);
      }
      this.stats.readsFromKnownStart++;
      return this.served(seg, position, bytes, bound);
    });
  }

  /** The whole batches below `bound` of a read, remembering where the next one starts. */
  private served(seg: Segment, position: number, bytes: Buffer, bound: number): Buffer {
    let at = 0;
    let next = -1;
    while (bytes.length - at >= BATCH_HEADER_SIZE) {
      const info = batchInfoAt(bytes, at, at);
      if (info.baseOffset >= bound || at + info.size > bytes.length) break;
      at += info.size;
      next = info.lastOffset + 1;
    }
    if (next >= 0) seg.rememberStart(next, position + at);
    return bytes.subarray(0, at);
  }

  offsetForTimestamp(timestamp: number): Promise<TimestampLookup | null> {
    return offsetForTimestamp(this.segments, this, timestamp);
  }

  maxTimestamp(): Promise<TimestampLookup | null> {
    return maxTimestamp(this.segments, this);
  }

  truncateTo(offset: number): Promise<void> {
    return this.serial(async () => {
      if (offset >= this.nextOffset) return;
      this.recent.clear();
      const interval = this.cfg.indexIntervalBytes;
      if (offset <= this.first.baseOffset) {
        // Nothing before `offset` is left: start over with an empty segment there (Kafka's
        // truncateFullyAndStartAt).
        for (const s of this.segments.removeAll()) await s.retire(DELETED_SUFFIX);
        this.segments.push(await Segment.create(this.opts.fs, this.dir, offset));
        await this.opts.fs.syncDir(this.dir);
        this.startOffset = offset;
        this.recoveryPoint = { segment: offset, position: 0, offset };
      } else {
        while (this.active.baseOffset >= offset) {
          await this.segments.removeActive().retire(DELETED_SUFFIX);
        }
        const seg = this.active;
        const batch = await seg.findBatch(offset, interval);
        if (batch !== null) await seg.truncate(batch.position, interval);
        await seg.sync();
        this.startOffset = Math.min(this.startOffset, seg.nextOffset);
      }
      this.nextOffset = this.active.nextOffset;
      this.visibleEnd = this.nextOffset;
      await this.replayTransactions();
      await removeRetired(this.opts.fs, this.dir);
      await this.checkpointNow();
    });
  }

  /**
   * Which transactions are open after a truncation: replayed from the first segment,
   * since the cut may reopen transactions whose markers it removed. Truncation is rare
   * (the broker does not use it), so the whole-log walk is accepted.
   */
  private async replayTransactions(): Promise<void> {
    const txns = new OpenTransactions();
    for (const seg of this.segments.all) {
      for await (const bytes of seg.storedBatches()) txns.observe(bytes, 0);
    }
    this.txns = txns;
    this.assignedTxns = txns.clone();
    this.pendingAborted = [];
  }

  deleteRecordsBefore(offset: number): Promise<number> {
    return this.serial(async () => {
      if (offset > this.visibleEnd)
        throw new RangeError(`offset ${offset} is above the high watermark ${this.visibleEnd}`);
      if (offset > this.startOffset) {
        this.startOffset = offset;
        await this.checkpointNow();
        await this.deleteOldSegments(this.opts.clock.now(), true);
      }
      return this.startOffset;
    });
  }

  setLastStableOffsetHook(hook: ((highWatermark: number) => number) | null): void {
    this.lsoHook = hook;
  }

  async abortedTransactions(fetchOffset: number, upperBoundOffset: number): Promise<AbortedTxn[]> {
    return this.collectAborted(fetchOffset, upperBoundOffset);
  }

  private collectAborted(fetchOffset: number, upperBoundOffset: number): AbortedTxn[] {
    return collectAborted(this.segments.all, fetchOffset, upperBoundOffset, this.pendingAborted);
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  updateConfig(config: LogConfig): void {
    this.cfg = config;
  }

  async runMaintenance(now = this.opts.clock.now()): Promise<number> {
    let freed = await this.serial(() => this.deleteOldSegments(now));
    if (this.cfg.cleanupPolicy.compact && !this.closed && this.failure === null)
      freed += await this.compact(now);
    return freed;
  }

  /** One compaction pass (at most one at a time), off the serial chain except its swaps. */
  compact(now = this.opts.clock.now()): Promise<number> {
    if (this.compacting !== null) return this.compacting;
    const run = compactOnce(this.compactionTarget(), now).finally(() => {
      this.compacting = null;
    });
    this.compacting = run;
    return run;
  }

  private compactionTarget(): CompactionTarget {
    const log = this;
    return {
      fs: this.opts.fs,
      dir: this.dir,
      config: this.cfg,
      logger: this.opts.logger,
      closedSegments: () => log.segments.closed(),
      nextBaseAfter: (seg) => log.segments.nextBaseAfter(seg),
      get lastStableOffset() {
        return log.lastStableOffset;
      },
      get cleanerOffset() {
        return Math.max(log.cleanerOffset, log.startOffset);
      },
      abortedTransactions: (from, to) => log.collectAborted(from, to),
      serial: (fn) => log.serial(fn),
      replaceSegment: (old, fresh) => log.segments.replace(old, fresh),
      setCleanerOffset: (offset) =>
        log.serial(async () => {
          log.cleanerOffset = offset;
          await log.checkpointNow();
        }),
      onSwapStep: this.opts.onSwapStep,
    };
  }

  /** Retention; with `belowStartOnly`, just the segments DeleteRecords left behind. */
  private async deleteOldSegments(now: number, belowStartOnly = false): Promise<number> {
    const rules = belowStartOnly ? BELOW_LOG_START_ONLY : this.cfg;
    const summaries: SegmentSummary[] = await Promise.all(
      this.segments.all.map(async (s, i) => {
        const summary = { baseOffset: s.baseOffset, size: s.size, maxTimestamp: s.maxTimestamp };
        // Only closed segments without timestamps need their file's age.
        if (s.maxTimestamp >= 0 || i === this.segments.count - 1) return summary;
        return { ...summary, lastModified: await s.fileModifiedTime() };
      }),
    );
    const n = segmentsToDelete(summaries, rules, now, this.startOffset);
    if (n === 0) return 0;
    const gone = this.segments.removeLeading(n);
    const freed = gone.reduce((sum, s) => sum + s.size, 0);
    this.startOffset = Math.max(this.startOffset, this.first.baseOffset);
    // Durable start offset first: a crash after it finds the old segments below the
    // log start and deletes them again at open.
    await this.checkpointNow();
    for (const s of gone) await s.retire(DELETED_SUFFIX);
    await removeRetired(this.opts.fs, this.dir);
    this.opts.logger.info("retention deleted segments", {
      segments: n,
      bytes: freed,
      logStartOffset: this.startOffset,
    });
    return freed;
  }

  /** This log is its only writer: nothing to reread. */
  async refresh(): Promise<void> {}

  /** This log is its only writer: nothing to claim. */
  async claimWriter(): Promise<boolean> {
    return false;
  }

  flush(): Promise<void> {
    return this.serial(() => this.checkpointNow());
  }

  /** What the checkpoint depends on; unchanged since the last one, a timer skips it. */
  private checkpointState(): string {
    const seg = this.active;
    return `${this.startOffset} ${this.nextOffset} ${seg.baseOffset} ${seg.size} ${this.cleanerOffset}`;
  }

  /** The periodic checkpoint: nothing to fsync or write for a log idle since the last. */
  private checkpointIfChanged(): Promise<void> {
    const run = (): Promise<void> =>
      this.serial(async () => {
        if (this.closed || this.failure !== null) return;
        if (this.checkpointState() !== this.checkpointed) await this.checkpointNow();
      });
    return this.opts.queueCheckpoint === undefined ? run() : this.opts.queueCheckpoint(run);
  }

  /** fsync the active segment, persist its indexes, write the checkpoint. */
  private async checkpointNow(): Promise<void> {
    const state = this.checkpointState();
    const seg = this.active;
    await seg.persistIndexes();
    await this.syncActive();
    await this.writeCheckpointFile();
    this.checkpointed = state;
  }

  /** Records the recovery point (and what recovery needs with it) in the checkpoint file. */
  private writeCheckpointFile(): Promise<void> {
    return writeCheckpoint(this.opts.fs, this.dir, {
      logStartOffset: this.startOffset,
      recoverySegment: this.recoveryPoint.segment,
      recoveryPosition: this.recoveryPoint.position,
      recoveryOffset: this.recoveryPoint.offset,
      cleanerOffset: this.cleanerOffset,
      transactionIndex: true,
      openTransactions: this.txns.entries(),
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.recent.clear();
    for (const stop of this.stopTimers) stop();
    await this.compacting?.catch(() => 0);
    await this.serial(async () => {
      if (this.failure === null) {
        this.active.finishTimeIndex();
        await this.checkpointNow();
      }
      for (const s of this.segments.all) await s.close();
    });
  }

  private startTimers(): void {
    const every = (ms: number, fn: () => Promise<unknown>): void => {
      if (ms <= 0 || ms >= 2 ** 31) return;
      const stop = repeatEvery(this.opts.clock, ms, () => {
        if (this.closed || this.failure !== null) return;
        fn().catch((e: unknown) => this.opts.logger.error("background task failed", undefined, e));
      });
      this.stopTimers.push(stop);
    };
    every(this.opts.checkpointIntervalMs, () => this.checkpointIfChanged());
    every(Math.min(this.cfg.flushMs, 2 ** 31 - 1), () =>
      this.serial(async () => {
        if (
          this.oldestUnflushed >= 0 &&
          this.opts.clock.now() - this.oldestUnflushed >= this.cfg.flushMs
        )
          await this.syncActive();
      }),
    );
  }

  /** Runs `fn` after every mutation queued before it. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }
}

const EMPTY = Buffer.alloc(0);

/** An fsync that failed: never retried, the unsynced data may be gone. */
class SyncFailure extends Error {}

async function syncOrFail(sync: () => Promise<void>): Promise<void> {
  try {
    await sync();
  } catch (e) {
    throw new SyncFailure(asError(e).message);
  }
}

/** A group write that failed after its first `stored` appends were stored. */
class GroupWriteFailure extends Error {
  constructor(
    readonly stored: number,
    readonly recoverable: boolean,
    override readonly cause: Error,
  ) {
    super(cause.message);
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
