import { BatchField } from "@logbook/protocol";
import { isAbortMarker, runCompactionPass } from "../cleaner/index.js";
import type { LogConfig } from "../config.js";
import type { Fs } from "../env/fs.js";
import type { Logger } from "../logger.js";
import type { AbortedTxn } from "../partition-log.js";
import { encodeTxnIndex } from "../transactions/index.js";
import {
  CLEANED_SUFFIX,
  DELETED_SUFFIX,
  LOG_SUFFIX,
  SEGMENT_SUFFIXES,
  SWAP_SUFFIX,
  TXN_INDEX_SUFFIX,
} from "./layout.js";
import { Segment } from "./segment.js";

/** Steps of a swap, named so tests can stop a pass at each (simulating a crash). */
export type SwapStep =
  | "cleaned-written"
  | "range-written"
  | "swap-committed"
  | "old-retired"
  | "swap-renamed";

/** What the cleaner needs from the log it compacts. */
export interface CompactionTarget {
  readonly fs: Fs;
  readonly dir: string;
  readonly config: LogConfig;
  readonly logger: Logger;
  /** Closed segments (everything but the active one), oldest first. */
  closedSegments(): Segment[];
  /** Base offset of the segment after `seg` (the active one's for the last closed). */
  nextBaseAfter(seg: Segment): number;
  readonly lastStableOffset: number;
  /** First offset not yet covered by a clean pass. */
  readonly cleanerOffset: number;
  /** Aborted transactions overlapping [from, to), from the log's transaction indexes. */
  abortedTransactions(from: number, to: number): AbortedTxn[];
  /** Runs `fn` exclusively with appends, rolls and retention. */
  serial<T>(fn: () => Promise<T>): Promise<T>;
  /** Swaps a segment object in place; false when `old` is no longer in the log. */
  replaceSegment(old: Segment, fresh: Segment): boolean;
  /** Records (and checkpoints) how far the log is clean. */
  setCleanerOffset(offset: number): Promise<void>;
  /** Test hook: called after each swap step; throwing there simulates a crash. */
  onSwapStep?: (step: SwapStep, base: number) => void;
}

/**
 * One compaction pass over a log (the shared pass in ../cleaner/compaction-pass.ts). The
 * heavy part (reading, the offset map, rewriting into `<base>.log.cleaned`) runs outside
 * the log's serial chain, yielding to the event loop every few batches, so appends and
 * fetches go on; only each segment's swap takes the chain. Segments are cleaned one to
 * one (each keeps its base offset), so an interrupted pass leaves a consistent log.
 * Returns the bytes freed.
 */
export function compactOnce(target: CompactionTarget, now: number): Promise<number> {
  return runCompactionPass<Segment>(
    {
      config: target.config,
      logger: target.logger,
      closedSegments: () => target.closedSegments(),
      nextBaseAfter: (seg) => target.nextBaseAfter(seg),
      get lastStableOffset() {
        return target.lastStableOffset;
      },
      get cleanerOffset() {
        return target.cleanerOffset;
      },
      abortedTransactions: (from, to) => target.abortedTransactions(from, to),
      batches: batchesOf,
      lastBatchPerProducer: () => lastBatchPerProducer(target.closedSegments()),
      replaceSegment: (seg, cleaned) => cleanSegment(target, seg, cleaned),
      setCleanerOffset: (offset) => target.setCleanerOffset(offset),
    },
    now,
  );
}

async function cleanSegment(
  target: CompactionTarget,
  seg: Segment,
  cleaned: AsyncGenerator<Buffer>,
): Promise<number> {
  const fs = target.fs;
  const base = seg.baseOffset;
  const logPath = seg.path(LOG_SUFFIX);
  const cleanedPath = `${logPath}${CLEANED_SUFFIX}`;
  const fh = await fs.open(cleanedPath, "w");
  let size = 0;
  const keptAborts = new Set<number>();
  try {
    for await (const batch of cleaned) {
      await fh.write(batch, 0, batch.length, size);
      size += batch.length;
      if (isAbortMarker(batch)) keptAborts.add(Number(batch.readBigInt64BE(BatchField.baseOffset)));
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (size === seg.size) {
    // Nothing was removed: keep the old segment (and its indexes).
    await fs.rm(cleanedPath, { force: true });
    return 0;
  }
  // An entry stays while its marker does. Once a marker goes (its transaction has no
  // data left) the entry must go too: a reader would otherwise treat the producer's
  // later transactional data as aborted, with no marker to end that.
  const txnIndex = seg.abortedTxns.filter((e) => keptAborts.has(e.lastOffset));
  const txnPath = seg.path(TXN_INDEX_SUFFIX);
  await fs.writeFile(`${txnPath}${CLEANED_SUFFIX}`, encodeTxnIndex(txnIndex), { flush: true });
  const hook = (step: SwapStep): void => target.onSwapStep?.(step, base);
  hook("cleaned-written");
  return target.serial(async () => {
    // Commit protocol (recovery completes a committed swap and discards the rest):
    //   range note -> `.log.swap` (commit) -> old files to `.deleted` -> swap to `.log`.
    const swapPath = `${logPath}${SWAP_SUFFIX}`;
    // Flushed: the commit below must find the whole note after a power loss.
    await fs.writeFile(`${swapPath}.range`, `${base}\n`, { flush: true });
    // Renamed before the commit, so a committed swap always finds it (recovery renames
    // every `<base>.*.swap` with the `.log.swap`, and drops it without one).
    await fs.rename(`${txnPath}${CLEANED_SUFFIX}`, `${txnPath}${SWAP_SUFFIX}`);
    await fs.syncDir(target.dir);
    hook("range-written");
    await fs.rename(cleanedPath, swapPath);
    await fs.syncDir(target.dir);
    hook("swap-committed");
    const freed = seg.size - size;
    // Renamed only: readers may still find the old segment in the list until it is replaced.
    await seg.renameFiles(DELETED_SUFFIX);
    hook("old-retired");
    await fs.rename(swapPath, logPath);
    await fs.rename(`${txnPath}${SWAP_SUFFIX}`, txnPath);
    await fs.rm(`${swapPath}.range`, { force: true });
    await fs.syncDir(target.dir);
    hook("swap-renamed");
    const fresh = await Segment.open(fs, target.dir, base);
    fresh.abortedTxns = txnIndex;
    await fresh.rebuildIndexes(fresh.size, target.config.indexIntervalBytes);
    fresh.nextOffset = target.nextBaseAfter(seg);
    fresh.unloadIndexes();
    if (!target.replaceSegment(seg, fresh)) await fresh.close();
    await seg.retireRenamed();
    for (const suffix of SEGMENT_SUFFIXES) {
      await fs.rm(`${seg.path(suffix)}${DELETED_SUFFIX}`, { force: true });
    }
    return freed;
  });
}

async function* batchesOf(segments: readonly Segment[]): AsyncGenerator<Buffer> {
  for (const seg of segments) yield* seg.storedBatches();
}

/** For each producer id, the base offset of its last batch in these segments. */
async function lastBatchPerProducer(segments: readonly Segment[]): Promise<Map<bigint, number>> {
  const last = new Map<bigint, number>();
  for (const seg of segments) {
    for await (const h of seg.batchHeaders())
      if (h.producerId >= 0n) last.set(h.producerId, h.baseOffset);
  }
  return last;
}
