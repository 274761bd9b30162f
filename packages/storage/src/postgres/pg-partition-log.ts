import { BatchField } from "@logbook/protocol";
import type pg from "pg";
import { AppendListeners } from "../append-listeners.js";
import { firstAtOrAfter, maxAtOrAfter, recordTimestamps } from "../batch-search.js";
import type { LogConfig } from "../config.js";
import type { Clock } from "../env/clock.js";
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
  type TimestampLookup,
} from "../partition-log.js";
import { BELOW_LOG_START_ONLY, type RetentionRules, segmentsToDelete } from "../retention.js";
import { orUnavailable } from "../storage-unavailable.js";
import { collectAborted } from "../transactions/collect-aborted.js";
import { OpenTransactions } from "../transactions/open-transactions.js";
import { compactPgPartition, storedAbortMarkers } from "./pg-compaction.js";
import {
  batchesByNewest,
  batchesWithTimestampAtLeast,
  claimPartition,
  groupCommitted,
  holdsPartition,
  loadPartition,
  type PartitionSnapshot,
  readBatches,
  type WriteGroup,
  writeGroup,
} from "./pg-queries.js";
import { emptySegment, type PgSegment } from "./pg-segment.js";
import { deleteSegments, rewriteAfterTruncate } from "./pg-truncate.js";

/** One append call waiting for its write. */
interface PendingAppend {
  records: Buffer;
  incoming: IncomingBatch[];
  leaderEpoch: number;
  /** Refuse rather than move when another writer's batches push this append elsewhere. */
  expectedOffset: number | undefined;
  logAppendTime: number;
  /** Assigned when the append is placed (and again should another writer move the end). */
  baseOffset: number;
  lastOffset: number;
  segmentBase: number;
  createdAt: number;
  aborted: AbortedTxn[];
  opened: [bigint, number][];
  closed: bigint[];
  resolve: (r: AppendResult) => void;
  reject: (e: Error) => void;
}

export interface PgPartitionLogDeps {
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
  /** How long a write keeps retrying while the database is unreachable. */
  writeRetryMs: number;
  /** This engine's id in claims (PartitionLog.claimWriter). */
  writerId: string;
  /**
   * At most this many waiting appends go in one statement (0 = all that wait): the
   * `max_appends_per_write` URL parameter, there to measure what coalescing buys.
   */
  maxAppendsPerWrite: number;
  onClose: () => void;
}

const RETRY_PAUSE_MS = 250;

/**
 * A partition stored in PostgreSQL. Offsets are predicted when `append` is called (the
 * contract every engine keeps) and written in coalesced groups by one statement that
 * commits only if the partition still ends where this broker believes; when another
 * broker appended meanwhile, the log reloads and places its pending appends after
 * theirs (the append's result carries the offsets that count). The high watermark is
 * the committed end: a committed batch is as durable as the database makes it.
 */
export class PgPartitionLog implements PartitionLog {
  private pending: PendingAppend[] = [];
  private writing: Promise<void> | null = null;
  private closed = false;
  private readonly listeners: AppendListeners;
  private lastStableOffsetHook: ((highWatermark: number) => number) | null = null;
  private segments: PgSegment[];
  private startOffset: number;
  /** Committed end: every offset below is readable. */
  private endOffset: number;
  /** Where the next append goes (pending appends counted). */
  private nextOffset: number;
  /** The segment pending appends go to: base, size so far, creation time. */
  private active: { base: number; size: number; createdAt: number };
  /** This broker holds the partition's claim (its writes fail once another claims it). */
  private claimed = false;
  private claiming: Promise<boolean> | null = null;
  /** An exclusive turn (a reload or a truncation) holding writes back. */
  private turn: Promise<void> | null = null;
  /** The highest end another broker announced (NOTIFY); above endOffset = reread due. */
  private heardEnd = 0;
  /** This broker's compaction round in progress, if any. */
  private compacting: Promise<number> | null = null;
  /** Open transactions as of endOffset, and as of nextOffset. */
  private committedTxns: OpenTransactions;
  private assignedTxns: OpenTransactions;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly id: string,
    private currentConfig: LogConfig,
    snapshot: PartitionSnapshot,
    private readonly deps: PgPartitionLogDeps,
  ) {
    this.listeners = new AppendListeners(deps.logger);
    this.segments = snapshot.segments;
    this.startOffset = snapshot.logStartOffset;
    this.endOffset = snapshot.nextOffset;
    this.nextOffset = snapshot.nextOffset;
    this.committedTxns = new OpenTransactions(snapshot.openTxns);
    this.assignedTxns = this.committedTxns.clone();
    this.active = this.activeFromSegments();
  }

  /** The database's id of this partition (NOTIFY payloads name it). */
  get partitionId(): string {
    return this.id;
  }
  get config(): LogConfig {
    return this.currentConfig;
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
    return this.endOffset;
  }
  get lastStableOffset(): number {
    const hw = this.endOffset;
    return this.lastStableOffsetHook ? this.lastStableOffsetHook(hw) : hw;
  }
  get sizeInBytes(): number {
    let size = 0;
    for (const s of this.segments) size += s.size;
    return size;
  }
  get segmentCount(): number {
    return this.segments.length;
  }

  append(records: Buffer, options: AppendOptions = {}): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new AppendError("closed", this.describe("closed")));
    if (options.expectedOffset !== undefined && options.expectedOffset !== this.nextOffset)
      return Promise.reject(conflictError(options.expectedOffset, this.nextOffset));
    // Our own copy: the caller may reuse its buffer, and we patch offsets in place.
    const copy = Buffer.from(records);
    let incoming: IncomingBatch[];
    try {
      incoming = parseIncoming(copy, options.verifyCrc !== false);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      const entry: PendingAppend = {
        records: copy,
        incoming,
        leaderEpoch: options.leaderEpoch ?? 0,
        expectedOffset: options.expectedOffset,
        logAppendTime:
          this.currentConfig.messageTimestampType === "LogAppendTime" ? this.deps.clock.now() : -1,
        baseOffset: 0,
        lastOffset: 0,
        segmentBase: 0,
        createdAt: 0,
        aborted: [],
        opened: [],
        closed: [],
        resolve,
        reject,
      };
      this.place(entry);
      this.pending.push(entry);
      this.kickWriter();
    });
  }

  async read(fetchOffset: number, maxBytes: number, upperBound?: number): Promise<ReadResult> {
    this.assertOpen();
    return orUnavailable(this.describe("not read"), () =>
      this.readStored(fetchOffset, maxBytes, upperBound),
    );
  }

  private async readStored(
    fetchOffset: number,
    maxBytes: number,
    upperBound?: number,
  ): Promise<ReadResult> {
    if (fetchOffset > this.nextOffset && this.pending.length === 0 && this.writing === null) {
      // Another broker may have appended what this one has not heard of yet.
      await this.reload();
    }
    if (fetchOffset < this.startOffset || fetchOffset > this.nextOffset) {
      return {
        kind: "offset-out-of-range",
        highWatermark: this.endOffset,
        logStartOffset: this.startOffset,
        logEndOffset: this.nextOffset,
      };
    }
    const highWatermark = this.endOffset;
    const bound = Math.min(upperBound ?? highWatermark, highWatermark);
    const parts =
      fetchOffset < bound
        ? await readBatches(this.deps.pool, this.id, fetchOffset, bound, maxBytes)
        : [];
    return {
      kind: "ok",
      records: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts),
      highWatermark,
      lastStableOffset: this.lastStableOffset,
      logStartOffset: this.startOffset,
    };
  }

  async offsetForTimestamp(timestamp: number): Promise<TimestampLookup | null> {
    this.assertOpen();
    const start = this.startOffset;
    let from = start;
    for (;;) {
      const candidates = await batchesWithTimestampAtLeast(
        this.deps.pool,
        this.id,
        timestamp,
        from,
        16,
      );
      for (const c of candidates) {
        const found = firstAtOrAfter(await recordTimestamps(c.bytes), timestamp, start);
        if (found !== null) return found;
        from = c.lastOffset + 1;
      }
      if (candidates.length < 16) return null;
    }
  }

  async maxTimestamp(): Promise<TimestampLookup | null> {
    this.assertOpen();
    const start = this.startOffset;
    let best: TimestampLookup | null = null;
    // The batch with the largest maxTimestamp holds the answer unless its records of that
    // time lie below the log start; then the next ones are looked at.
    for (const c of await batchesByNewest(this.deps.pool, this.id, start, 64)) {
      if (best !== null && c.maxTimestamp <= best.timestamp) break;
      const candidate = maxAtOrAfter(await recordTimestamps(c.bytes), start);
      if (
        candidate !== null &&
        (best === null ||
          candidate.timestamp > best.timestamp ||
          (candidate.timestamp === best.timestamp && candidate.offset < best.offset))
      )
        best = candidate;
    }
    return best;
  }

  async truncateTo(offset: number): Promise<void> {
    this.assertOpen();
    await this.settle();
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new RangeError(`truncate offset ${offset} is not a non-negative integer`);
    }
    if (offset >= this.endOffset) return;
    await this.exclusively(async () => {
      await rewriteAfterTruncate(this.deps.pool, this.id, offset, this.deps.clock.now());
      await this.loadSnapshot();
    });
  }

  async deleteRecordsBefore(offset: number): Promise<number> {
    this.assertOpen();
    await this.settle();
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new RangeError(`delete-records offset ${offset} is not a non-negative integer`);
    }
    if (offset > this.endOffset) await this.reload();
    if (offset > this.endOffset) {
      throw new RangeError(
        `delete-records offset ${offset} is above the high watermark ${this.endOffset}`,
      );
    }
    if (offset <= this.startOffset) return this.startOffset;
    await this.dropLeadingSegments(BELOW_LOG_START_ONLY, 0, offset);
    return this.startOffset;
  }

  async abortedTransactions(fetchOffset: number, upperBoundOffset: number): Promise<AbortedTxn[]> {
    this.assertOpen();
    const pendingAborted = this.pending.flatMap((p) => p.aborted);
    const found = collectAborted(this.segments, fetchOffset, upperBoundOffset, pendingAborted);
    // Committed entries may have gone with their markers in another broker's compaction.
    const end = this.endOffset;
    const committed = found.filter((e) => e.lastOffset < end).map((e) => e.lastOffset);
    if (committed.length === 0) return found;
    const stored = await storedAbortMarkers(this.deps.pool, this.id, committed);
    return found.filter((e) => e.lastOffset >= end || stored.has(e.lastOffset));
  }

  setLastStableOffsetHook(hook: ((highWatermark: number) => number) | null): void {
    this.lastStableOffsetHook = hook;
  }

  onAppend(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  updateConfig(config: LogConfig): void {
    this.currentConfig = config;
  }

  async runMaintenance(now: number = this.deps.clock.now()): Promise<number> {
    this.assertOpen();
    await this.settle();
    let freed = await this.dropLeadingSegments(this.currentConfig, now, this.startOffset);
    if (this.currentConfig.cleanupPolicy.compact) freed += await this.compact(now);
    return freed;
  }

  /**
   * One compaction round (pg-compaction.ts), at most one at a time on this broker and,
   * through the database, on all of them. Returns the bytes freed.
   */
  compact(now: number = this.deps.clock.now()): Promise<number> {
    if (this.closed) return Promise.reject(new Error(this.describe("closed")));
    if (this.compacting !== null) return this.compacting;
    const run = (async () => {
      const result = await compactPgPartition({
        pool: this.deps.pool,
        id: this.id,
        config: this.currentConfig,
        logger: this.deps.logger,
        lastStableOffset: this.lastStableOffset,
        now,
      });
      // Segment sizes and the transaction index changed (other brokers hear a NOTIFY).
      if (result.swapped > 0) await this.reload();
      return result.freed;
    })();
    this.compacting = run.finally(() => {
      this.compacting = null;
    });
    return this.compacting;
  }

  /** Rereads the partition unless this broker's own appends are in flight (they reload on a conflict). */
  async refresh(): Promise<void> {
    this.assertOpen();
    // Unreachable database: retriable for the caller (a produce rebuilding its producer
    // state answered UNKNOWN_SERVER_ERROR before).
    await orUnavailable(this.describe("not refreshed"), () => this.reload());
  }

  claimWriter(): Promise<boolean> {
    this.assertOpen();
    if (this.claimed) return Promise.resolve(false);
    if (this.claiming !== null) return this.claiming.then(() => false);
    const claim = orUnavailable(this.describe("not claimed"), async () => {
      await claimPartition(this.deps.pool, this.id, this.deps.writerId);
      // What the previous writer appended up to its last write is in the database now.
      await this.refresh();
      // Only now: until the claimer has heard true (and rebuilt what depends on the
      // claim, such as producer state), every other caller waits for it rather than
      // appending on state the claimer is about to replace.
      this.claimed = true;
      return true;
    });
    this.claiming = claim.finally(() => {
      this.claiming = null;
    });
    return this.claiming;
  }

  async flush(): Promise<void> {
    this.assertOpen();
    await this.settle();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.settle().catch(() => {});
    await this.compacting?.catch(() => 0);
    this.closed = true;
    this.listeners.clear();
    this.deps.onClose();
  }

  /**
   * Another broker appended (a NOTIFY said the partition now ends at `end`): when this
   * one has nothing in flight, reload and wake long-polls; otherwise its next write
   * finds out and reloads anyway.
   */
  async noticeEnd(end: number): Promise<void> {
    if (end > this.heardEnd) this.heardEnd = end;
    if (this.closed || this.heardEnd <= this.endOffset) return;
    // With a write of its own in flight, the write finishing looks again (kickWriter):
    // the other broker's batches may lie before ours (our write then fails and reloads)
    // or after them, and only a reload shows those.
    if (this.pending.length > 0 || this.writing !== null) return;
    await this.reload();
    this.listeners.notify();
  }

  /**
   * Rereads the partition from the database (another writer appended). Never while a
   * write of this broker is in flight: a snapshot taken before that write committed and
   * applied after it would move the log back.
   */
  reload(): Promise<void> {
    return this.exclusively(() => this.loadSnapshot());
  }

  /**
   * Runs `work` with no write in flight and none starting until it is done (appends
   * made meanwhile wait, placed, and go once it is over).
   */
  private async exclusively(work: () => Promise<void>): Promise<void> {
    for (;;) {
      await this.settle();
      if (this.turn === null) break;
      await this.turn.catch(() => {});
    }
    const turn = work();
    this.turn = turn.finally(() => {
      this.turn = null;
      this.kickWriter();
    });
    await this.turn;
  }

  /** Applies the database's state of the partition; only the writer or an exclusive turn calls it. */
  private async loadSnapshot(): Promise<void> {
    const heard = this.heardEnd;
    const snapshot = await loadPartition(this.deps.pool, this.id);
    this.segments = snapshot.segments;
    this.startOffset = snapshot.logStartOffset;
    this.endOffset = snapshot.nextOffset;
    this.committedTxns = new OpenTransactions(snapshot.openTxns);
    // Announcements up to the snapshot are in it (a truncation may have lowered the end).
    if (this.heardEnd === heard) this.heardEnd = this.endOffset;
    this.replacePending();
  }

  /** Places every pending append again after the committed end (offsets may move). */
  private replacePending(): void {
    this.nextOffset = this.endOffset;
    this.assignedTxns = this.committedTxns.clone();
    this.active = this.activeFromSegments();
    const kept: PendingAppend[] = [];
    for (const p of this.pending) {
      if (p.expectedOffset !== undefined && p.expectedOffset !== this.nextOffset) {
        p.reject(conflictError(p.expectedOffset, this.nextOffset));
        continue;
      }
      this.place(p);
      kept.push(p);
    }
    this.pending = kept;
  }

  private activeFromSegments(): { base: number; size: number; createdAt: number } {
    const last = this.segments.at(-1) as PgSegment;
    return { base: last.baseOffset, size: last.size, createdAt: last.createdAt };
  }

  /**
   * Assigns offsets, the segment and transaction-index entries to one append. As in
   * Kafka, the roll decision is made once per append, so an append never spans segments.
   */
  private place(p: PendingAppend): void {
    const now = this.deps.clock.now();
    let size = 0;
    for (const b of p.incoming) size += b.size;
    const full = this.active.size + size > this.currentConfig.segmentBytes;
    const old = now - this.active.createdAt > this.currentConfig.segmentMs;
    if (this.active.size > 0 && (full || old))
      this.active = { base: this.nextOffset, size: 0, createdAt: now };
    p.baseOffset = this.nextOffset;
    p.segmentBase = this.active.base;
    p.createdAt = this.active.createdAt;
    this.nextOffset = assignOffsets(
      p.records,
      p.incoming,
      p.baseOffset,
      p.leaderEpoch,
      p.logAppendTime,
    );
    p.lastOffset = this.nextOffset - 1;
    this.active.size += size;
    p.aborted = [];
    p.opened = [];
    p.closed = [];
    for (const b of p.incoming) {
      const producerId = p.records.readBigInt64BE(b.start + BatchField.producerId);
      if (producerId < 0n) continue;
      const wasOpen = this.assignedTxns.firstOffsetOf(producerId) !== undefined;
      const aborted = this.assignedTxns.observe(p.records, b.start);
      if (aborted !== null) p.aborted.push(aborted);
      const first = this.assignedTxns.firstOffsetOf(producerId);
      if (wasOpen && first === undefined) p.closed.push(producerId);
      if (!wasOpen && first !== undefined) p.opened.push([producerId, first]);
    }
  }

  private kickWriter(): void {
    if (this.writing !== null || this.turn !== null) return;
    if (this.pending.length === 0) {
      if (this.heardEnd > this.endOffset && !this.closed)
        this.noticeEnd(this.heardEnd).catch((e: unknown) =>
          this.deps.logger.warn("rereading the partition after another broker's append failed", {
            error: e instanceof Error ? e.message : String(e),
          }),
        );
      return;
    }
    const writing = this.writePending().finally(() => {
      this.writing = null;
      this.kickWriter();
    });
    // A failed write has already failed each pending append (failPending); this promise
    // only tells settle() when it is over, and unobserved it must not end the process.
    writing.catch(() => {});
    this.writing = writing;
  }

  /** Waits until nothing is pending or being written. */
  private async settle(): Promise<void> {
    while (this.writing !== null) await this.writing;
  }

  /** The appends the next statement carries: the oldest waiting, up to the limit. */
  private nextGroup(): PendingAppend[] {
    const max = this.deps.maxAppendsPerWrite;
    return max > 0 ? this.pending.slice(0, max) : this.pending.slice();
  }

  private async writePending(): Promise<void> {
    let group = this.nextGroup();
    const deadline = this.deps.clock.now() + this.deps.writeRetryMs;
    for (;;) {
      const g = this.groupOf(group);
      let committed: boolean;
      try {
        committed = await writeGroup(this.deps.pool, this.id, g);
      } catch (e) {
        committed = await this.committedDespite(e, group, deadline);
      }
      if (committed) {
        this.pending.splice(0, group.length);
        this.applyCommitted(group, g);
        return;
      }
      if (g.writer !== null && !(await this.stillHeld())) return;
      // Another writer moved the end: place everything after it and try again.
      this.deps.logger.debug("another writer appended; placing pending appends after it", {
        topic: this.topic,
        partition: this.partition,
      });
      try {
        await this.loadSnapshot();
      } catch (e) {
        await this.failPending(e);
        return;
      }
      // Reloading refused the appends that insisted on an offset now taken.
      group = this.nextGroup();
      if (group.length === 0) return;
    }
  }

  /**
   * The write failed without a clear answer. Until the deadline, wait for the database
   * and find out whether it committed; a write that did not is retried by the caller
   * (the conditional statement makes a retry safe). Past the deadline the appends fail.
   */
  private async committedDespite(
    error: unknown,
    group: PendingAppend[],
    deadline: number,
  ): Promise<boolean> {
    const last = group.at(-1) as PendingAppend;
    const lastBatch = last.incoming.at(-1) as IncomingBatch;
    const crc = last.records.subarray(
      lastBatch.start + BatchField.crc,
      lastBatch.start + BatchField.crc + 4,
    );
    const lastBase = Number(last.records.readBigInt64BE(lastBatch.start));
    let cause = error;
    while (this.deps.clock.now() < deadline && !this.closed) {
      this.deps.logger.warn("writing to PostgreSQL failed; retrying", {
        topic: this.topic,
        partition: this.partition,
        error: cause instanceof Error ? cause.message : String(cause),
      });
      await new Promise<void>((r) => this.deps.clock.setTimeout(r, RETRY_PAUSE_MS));
      try {
        if (await groupCommitted(this.deps.pool, this.id, last.lastOffset, lastBase, crc))
          return true;
        return false;
      } catch (e) {
        cause = e;
      }
    }
    await this.failPending(cause);
    throw cause;
  }

  /**
   * After a refused claimed write: whether the claim still holds. When another broker
   * claimed the partition, every pending append fails as fenced (the client goes to the
   * new leader) and the log rereads the database.
   */
  private async stillHeld(): Promise<boolean> {
    let held: boolean;
    try {
      held = await holdsPartition(this.deps.pool, this.id, this.deps.writerId);
    } catch (e) {
      await this.failPending(e);
      return false;
    }
    if (held) return true;
    this.claimed = false;
    const fenced = this.pending.splice(0);
    for (const p of fenced)
      p.reject(new AppendError("fenced", `${this.describe("led by another broker now")}`));
    await this.forgetPlacement();
    return false;
  }

  private async failPending(cause: unknown): Promise<void> {
    const message = cause instanceof Error ? cause.message : String(cause);
    const failed = this.pending.splice(0);
    for (const p of failed)
      p.reject(new AppendError("storage", `${this.describe("not written")}: ${message}`));
    await this.forgetPlacement();
  }

  /**
   * After pending appends failed: predictions go back to the committed end, then the
   * database is reread (by the writer, before the next write starts); if it cannot be,
   * the next write's conditional statement still refuses a wrong offset.
   */
  private async forgetPlacement(): Promise<void> {
    this.nextOffset = this.endOffset;
    this.assignedTxns = this.committedTxns.clone();
    this.active = this.activeFromSegments();
    await this.loadSnapshot().catch(() => {});
  }

  private groupOf(group: readonly PendingAppend[]): WriteGroup {
    const g: WriteGroup = {
      expectedNext: (group[0] as PendingAppend).baseOffset,
      newNext: (group.at(-1) as PendingAppend).lastOffset + 1,
      lastOffsets: [],
      baseOffsets: [],
      segmentBases: [],
      maxTimestamps: [],
      sizes: [],
      bytes: [],
      segments: [],
      aborted: [],
      closedTxns: [],
      openedTxns: [],
      now: this.deps.clock.now(),
      writer: this.claimed ? this.deps.writerId : null,
    };
    const opened = new Map<bigint, number>();
    const closed = new Set<bigint>();
    for (const p of group) {
      let segment = g.segments.at(-1);
      if (segment === undefined || segment.base !== p.segmentBase) {
        segment = { base: p.segmentBase, size: 0, maxTimestamp: -1, createdAt: p.createdAt };
        g.segments.push(segment);
      }
      for (const b of p.incoming) {
        const base = Number(p.records.readBigInt64BE(b.start));
        const maxTimestamp = Number(p.records.readBigInt64BE(b.start + BatchField.maxTimestamp));
        g.baseOffsets.push(base);
        g.lastOffsets.push(base + b.lastOffsetDelta);
        g.segmentBases.push(p.segmentBase);
        g.maxTimestamps.push(maxTimestamp);
        g.sizes.push(b.size);
        g.bytes.push(p.records.subarray(b.start, b.start + b.size));
        segment.size += b.size;
        if (maxTimestamp > segment.maxTimestamp) segment.maxTimestamp = maxTimestamp;
      }
      g.aborted.push(...p.aborted);
      for (const id of p.closed) {
        opened.delete(id);
        closed.add(id);
      }
      for (const [id, first] of p.opened) opened.set(id, first);
    }
    g.closedTxns = [...closed];
    g.openedTxns = [...opened];
    return g;
  }

  /** Makes a committed group visible, resolves its appends, then wakes listeners once. */
  private applyCommitted(group: readonly PendingAppend[], g: WriteGroup): void {
    for (const s of g.segments) {
      let segment = this.segments.at(-1) as PgSegment;
      if (segment.baseOffset !== s.base) {
        if (segment.size === 0) this.segments.pop();
        segment = emptySegment(s.base, s.createdAt);
        this.segments.push(segment);
      }
      segment.size += s.size;
      if (s.maxTimestamp > segment.maxTimestamp) segment.maxTimestamp = s.maxTimestamp;
      segment.lastModified = g.now;
    }
    for (const e of g.aborted) this.segmentHolding(e.lastOffset).abortedTxns.push(e);
    this.endOffset = g.newNext;
    for (const p of group) {
      for (const b of p.incoming) this.committedTxns.observe(p.records, b.start);
    }
    for (const p of group) {
      p.resolve({
        baseOffset: p.baseOffset,
        lastOffset: p.lastOffset,
        logAppendTime: p.logAppendTime,
        logStartOffset: this.startOffset,
      });
    }
    this.listeners.notify();
  }

  private segmentHolding(offset: number): PgSegment {
    let found = this.segments[0] as PgSegment;
    for (const s of this.segments) if (s.baseOffset <= offset) found = s;
    return found;
  }

  /**
   * Retention and DeleteRecords: the leading segments the shared rule removes go in one
   * transaction, and the log start moves to `newStart` or past them.
   */
  private async dropLeadingSegments(
    rules: RetentionRules,
    now: number,
    newStart: number,
  ): Promise<number> {
    const n = segmentsToDelete(this.segments, rules, now, newStart);
    const doomed = this.segments.slice(0, n);
    const keptBase = (this.segments[n] as PgSegment).baseOffset;
    const start = Math.max(newStart, n > 0 ? keptBase : this.startOffset);
    if (n === 0 && start === this.startOffset) return 0;
    await deleteSegments(
      this.deps.pool,
      this.id,
      doomed.map((s) => s.baseOffset),
      start,
    );
    let freed = 0;
    for (const s of doomed) freed += s.size;
    this.segments.splice(0, n);
    this.startOffset = Math.max(this.startOffset, start);
    if (freed > 0) {
      this.deps.logger.debug("retention freed segments", {
        freed,
        logStartOffset: this.startOffset,
      });
    }
    return freed;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(this.describe("closed"));
  }

  private describe(what: string): string {
    return `log ${this.topic}-${this.partition} is ${what}`;
  }
}
