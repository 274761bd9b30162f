import { BatchField } from "@logbook/protocol";
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
import { collectAborted } from "../transactions/collect-aborted.js";
import type { OpenTransactions } from "../transactions/open-transactions.js";
import type { MemoryLogState } from "./log-state.js";
import type { StoredBatch } from "./segment.js";

interface PendingAppend {
  batches: StoredBatch[];
  result: Omit<AppendResult, "logStartOffset">;
  resolve: (result: AppendResult) => void;
}

export interface MemoryPartitionLogDeps {
  state: MemoryLogState;
  clock: Clock;
  logger: Logger;
  /** Tells the engine this handle is gone, so the next open makes a new one. */
  onClose: () => void;
}

/**
 * PartitionLog over a MemoryLogState. Concurrency contract: offsets are assigned
 * synchronously in `append` (call order); appends made in the same tick become visible
 * together in one microtask, then listeners run once. truncateTo, deleteRecordsBefore,
 * runMaintenance, flush and close first make pending appends visible, then act at call
 * time. Reads see only visible batches and never wait.
 */
export class MemoryPartitionLog implements PartitionLog {
  private pending: PendingAppend[] = [];
  private nextOffset: number;
  private closed = false;
  private readonly listeners: AppendListeners;
  private lastStableOffsetHook: ((highWatermark: number) => number) | null = null;
  /**
   * Open transactions as of nextOffset (appends not yet visible included), and the
   * aborted transactions those appends end: a marker's entry must be in the index from
   * the moment it is appended, since the transaction layer ends the transaction (and so
   * lets read_committed reads reach its data) at that moment.
   */
  private assignedTxns: OpenTransactions;
  private pendingAborted: AbortedTxn[] = [];

  constructor(
    readonly topic: string,
    readonly partition: number,
    private currentConfig: LogConfig,
    private readonly deps: MemoryPartitionLogDeps,
  ) {
    this.nextOffset = deps.state.endOffset;
    this.assignedTxns = deps.state.txns.clone();
    this.listeners = new AppendListeners(deps.logger);
  }

  get config(): LogConfig {
    return this.currentConfig;
  }
  get logStartOffset(): number {
    return this.deps.state.logStartOffset;
  }
  get isClosed(): boolean {
    return this.closed;
  }

  get logEndOffset(): number {
    return this.nextOffset;
  }
  get highWatermark(): number {
    return this.deps.state.endOffset;
  }
  get lastStableOffset(): number {
    const hw = this.highWatermark;
    return this.lastStableOffsetHook ? this.lastStableOffsetHook(hw) : hw;
  }
  get sizeInBytes(): number {
    return this.deps.state.sizeInBytes;
  }
  get segmentCount(): number {
    return this.deps.state.segments.length;
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
    const appendTime =
      this.currentConfig.messageTimestampType === "LogAppendTime" ? this.deps.clock.now() : -1;
    const baseOffset = this.nextOffset;
    assignOffsets(copy, incoming, baseOffset, options.leaderEpoch ?? 0, appendTime);
    const batches = incoming.map((b): StoredBatch => {
      const first = Number(copy.readBigInt64BE(b.start));
      return {
        baseOffset: first,
        lastOffset: first + b.lastOffsetDelta,
        maxTimestamp: Number(copy.readBigInt64BE(b.start + BatchField.maxTimestamp)),
        bytes: copy.subarray(b.start, b.start + b.size),
      };
    });
    this.nextOffset = (batches.at(-1) as StoredBatch).lastOffset + 1;
    for (const b of batches) {
      const aborted = this.assignedTxns.observe(b.bytes, 0);
      if (aborted !== null) this.pendingAborted.push(aborted);
    }
    const result = { baseOffset, lastOffset: this.nextOffset - 1, logAppendTime: appendTime };
    return new Promise((resolve) => {
      this.pending.push({ batches, result, resolve });
      if (this.pending.length === 1) queueMicrotask(() => this.makePendingVisible());
    });
  }

  async read(fetchOffset: number, maxBytes: number, upperBound?: number): Promise<ReadResult> {
    this.assertOpen();
    const { state } = this.deps;
    const highWatermark = state.endOffset;
    if (fetchOffset < state.logStartOffset || fetchOffset > this.nextOffset) {
      return {
        kind: "offset-out-of-range",
        highWatermark,
        logStartOffset: state.logStartOffset,
        logEndOffset: this.nextOffset,
      };
    }
    const bound = Math.min(upperBound ?? highWatermark, highWatermark);
    const parts: Buffer[] = [];
    let size = 0;
    for (const batch of state.batchesFrom(fetchOffset)) {
      if (batch.lastOffset >= bound) break;
      if (parts.length > 0 && size + batch.bytes.length > maxBytes) break;
      parts.push(batch.bytes);
      size += batch.bytes.length;
    }
    return {
      kind: "ok",
      records: Buffer.concat(parts, size),
      highWatermark,
      lastStableOffset: this.lastStableOffset,
      logStartOffset: state.logStartOffset,
    };
  }

  async offsetForTimestamp(timestamp: number): Promise<TimestampLookup | null> {
    this.assertOpen();
    const start = this.deps.state.logStartOffset;
    const candidates = [...this.deps.state.batchesFrom(start)];
    for (const batch of candidates) {
      if (batch.maxTimestamp < timestamp) continue;
      const found = firstAtOrAfter(await recordTimestamps(batch.bytes), timestamp, start);
      if (found !== null) return found;
    }
    return null;
  }

  async maxTimestamp(): Promise<TimestampLookup | null> {
    this.assertOpen();
    const start = this.deps.state.logStartOffset;
    const candidates = [...this.deps.state.batchesFrom(start)];
    let best: TimestampLookup | null = null;
    for (const batch of candidates) {
      // Only a strictly larger timestamp can replace the first one found.
      if (best !== null && batch.maxTimestamp <= best.timestamp) continue;
      const candidate = maxAtOrAfter(await recordTimestamps(batch.bytes), start);
      if (candidate !== null && (best === null || candidate.timestamp > best.timestamp))
        best = candidate;
    }
    return best;
  }

  async truncateTo(offset: number): Promise<void> {
    this.assertOpen();
    this.makePendingVisible();
    this.deps.state.truncateTo(offset, this.deps.clock.now());
    this.nextOffset = this.deps.state.endOffset;
    this.assignedTxns = this.deps.state.txns.clone();
  }

  async deleteRecordsBefore(offset: number): Promise<number> {
    this.assertOpen();
    this.makePendingVisible();
    this.deps.state.deleteRecordsBefore(offset);
    return this.deps.state.logStartOffset;
  }

  async abortedTransactions(fetchOffset: number, upperBoundOffset: number): Promise<AbortedTxn[]> {
    this.assertOpen();
    const { segments } = this.deps.state;
    return collectAborted(segments, fetchOffset, upperBoundOffset, this.pendingAborted);
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
    this.makePendingVisible();
    const freed = this.deps.state.runRetention(this.currentConfig, now);
    if (freed > 0) {
      this.deps.logger.debug("retention freed segments", {
        freed,
        logStartOffset: this.deps.state.logStartOffset,
      });
    }
    return freed;
  }

  /** This log is its only writer: nothing to reread. */
  async refresh(): Promise<void> {}

  /** This log is its only writer: nothing to claim. */
  async claimWriter(): Promise<boolean> {
    return false;
  }

  async flush(): Promise<void> {
    this.assertOpen();
    this.makePendingVisible();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.makePendingVisible();
    this.closed = true;
    this.listeners.clear();
    this.deps.onClose();
  }

  /** Writes every pending append, resolves their promises, then wakes listeners once. */
  private makePendingVisible(): void {
    const group = this.pending;
    if (group.length === 0) return;
    this.pending = [];
    // The state's own tracker computes the same entries into the segments.
    this.pendingAborted = [];
    const now = this.deps.clock.now();
    for (const p of group) this.deps.state.append(p.batches, now, this.currentConfig);
    const logStartOffset = this.deps.state.logStartOffset;
    for (const p of group) p.resolve({ ...p.result, logStartOffset });
    this.listeners.notify();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(this.describe("closed"));
  }

  private describe(what: string): string {
    return `log ${this.topic}-${this.partition} is ${what}`;
  }
}
