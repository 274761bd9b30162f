import { dirname, join } from "node:path";
import type { Fs } from "../env/fs.js";
import type { Logger } from "../logger.js";
import { OpenTransactions } from "../transactions/open-transactions.js";
import { type Checkpoint, readCheckpoint } from "./checkpoint.js";
import {
  CLEANED_SUFFIX,
  DELETED_SUFFIX,
  LOG_SUFFIX,
  parseSegmentFileName,
  SEGMENT_SUFFIXES,
  SWAP_SUFFIX,
  TXN_INDEX_SUFFIX,
} from "./layout.js";
import { Segment } from "./segment.js";

export interface RecoveredLog {
  segments: Segment[];
  logStartOffset: number;
  cleanerOffset: number;
  /** True when anything past the checkpoint was scanned (the caller re-checkpoints). */
  scanned: boolean;
  /** Transactions open at the end of the recovered log. */
  openTransactions: OpenTransactions;
}

/**
 * Opens a partition directory and brings it to a consistent state:
 *  1. leftovers of interrupted work go: `*.deleted` and `*.cleaned` files are removed,
 *     `*.swap` files (a finished compaction) replace the segments they cover;
 *  2. segments before the checkpoint's recovery point are trusted (indexes load lazily);
 *  3. every batch after it is validated (length, magic, CRC-32C, increasing offsets) and
 *     the indexes are rebuilt for it; at the first bad or torn batch the segment is cut
 *     there and later segments are dropped, with a warning saying what was cut.
 *
 * Transaction indexes: those of trusted segments are loaded and checked; the rescan
 * rebuilds the rest, starting from the transactions the checkpoint lists as open at the
 * recovery point. A trusted one that is missing or torn, or a checkpoint from before
 * transaction indexes, makes the rescan start at the first segment (`fullRescan`),
 * since nothing else says which transactions were open at a segment's start.
 */
export async function recoverPartition(
  fs: Fs,
  dir: string,
  indexIntervalBytes: number,
  logger: Logger,
  fullRescan = false,
): Promise<RecoveredLog> {
  await fs.mkdir(dir, { recursive: true });
  if (!fullRescan) await cleanLeftovers(fs, dir, logger);
  const names = await fs.readdir(dir);
  const bases = names
    .map((n) => parseSegmentFileName(n))
    .filter(
      (p): p is { baseOffset: number; suffix: string } => p !== null && p.suffix === LOG_SUFFIX,
    )
    .map((p) => p.baseOffset)
    .sort((a, b) => a - b);
  const cp: Checkpoint | null = await readCheckpoint(fs, dir);
  const logStart = Math.max(cp?.logStartOffset ?? 0, bases[0] ?? 0);
  if (bases.length === 0) {
    const first = await Segment.create(fs, dir, cp?.logStartOffset ?? 0);
    // The new segment and (for a new partition) the directory itself must be durable
    // before anything appended to them is: an fsynced append is lost with its file.
    // Neither sync depends on the other; the data directory's is shared with the
    // partitions opened meanwhile (env/grouped-dir-sync.ts).
    await Promise.all([fs.syncDir(dir), fs.syncDir(dirname(dir))]);
    return {
      segments: [first],
      logStartOffset: logStart,
      cleanerOffset: cp?.cleanerOffset ?? 0,
      scanned: false,
      openTransactions: new OpenTransactions(),
    };
  }
  if (!fullRescan && (cp === null || !cp.transactionIndex)) {
    if (cp !== null) logger.info("building transaction indexes: rescanning the log once", { dir });
    fullRescan = true;
  }
  const resume = fullRescan ? null : cp;
  const recoverySegment = resume?.recoverySegment ?? (bases[0] as number);
  const txns = new OpenTransactions(resume?.openTransactions ?? []);
  const segments: Segment[] = [];
  let scanned = fullRescan;
  let expectedNext = -1;
  let resumed = false;
  /** Starts over from the first segment (see above); segments opened so far are closed. */
  const rescanAll = async (
    why: string,
    base: number,
    level: "warn" | "info" = "warn",
  ): Promise<RecoveredLog> => {
    logger[level]("rebuilding transaction indexes: rescanning the whole log", {
      dir,
      segment: base,
      why,
    });
    for (const s of segments) await s.close();
    return recoverPartition(fs, dir, indexIntervalBytes, logger, true);
  };
  for (let i = 0; i < bases.length; i++) {
    const base = bases[i] as number;
    const seg = await Segment.open(fs, dir, base);
    segments.push(seg);
    if (base < recoverySegment && i < bases.length - 1) {
      // Before loadSummary, whose index rebuild (if any) persists the transaction index too.
      if (!(await seg.loadTxnIndex(Number.POSITIVE_INFINITY, bases[i + 1])))
        return rescanAll("missing or torn .txnindex", base);
      await seg.loadSummary(indexIntervalBytes);
      seg.nextOffset = bases[i + 1] as number;
      expectedNext = seg.nextOffset;
      continue;
    }
    // Validate from the recovery point (this segment) or from the start (later ones).
    let from = 0;
    if (resume !== null && base === recoverySegment && resume.recoveryPosition <= seg.size) {
      from = resume.recoveryPosition;
      if (!(await seg.loadTxnIndex(resume.recoveryOffset)))
        return rescanAll("missing or torn .txnindex", base);
      await seg.loadIndexes(from, indexIntervalBytes, resume.recoveryOffset);
      seg.nextOffset = resume.recoveryOffset;
      expectedNext = resume.recoveryOffset;
      resumed = true;
    } else if (resume !== null && !resumed) {
      // The rescan would not start where the checkpoint's open transactions hold.
      // Damage the rescan itself reports (a cut) if it matters; this part is routine.
      return rescanAll("recovery point does not match the segments", base, "info");
    } else {
      await seg.rebuildIndexes(0, indexIntervalBytes);
      expectedNext = Math.max(expectedNext, base);
    }
    const cut = await seg.recoverTail(from, expectedNext, indexIntervalBytes, txns);
    scanned ||= seg.size > from;
    if (cut !== null) {
      logger.warn("truncated a corrupt or torn log tail", {
        dir,
        segment: base,
        position: cut.position,
        bytesCut: seg.size - cut.position,
        reason: cut.reason,
        laterSegmentsDropped: bases.length - i - 1,
      });
      await seg.truncate(cut.position, indexIntervalBytes);
      for (const later of bases.slice(i + 1)) {
        const dropped = await Segment.open(fs, dir, later);
        await dropped.retire(DELETED_SUFFIX);
        await removeRetired(fs, dir);
      }
      scanned = true;
      break;
    }
    expectedNext = seg.nextOffset;
    // A rescanned closed segment's indexes go to disk now: it is trusted from here on.
    if (i < bases.length - 1) {
      seg.finishTimeIndex();
      await seg.persistIndexes();
    }
  }
  return {
    segments,
    logStartOffset: logStart,
    cleanerOffset: cp?.cleanerOffset ?? 0,
    scanned,
    openTransactions: txns,
  };
}

async function cleanLeftovers(fs: Fs, dir: string, logger: Logger): Promise<void> {
  const names = await fs.readdir(dir);
  for (const n of names) {
    if (n.endsWith(DELETED_SUFFIX) || n.endsWith(CLEANED_SUFFIX) || n.endsWith(".tmp")) {
      await fs.rm(join(dir, n), { force: true });
    }
  }
  for (const n of names.filter((x) => x.endsWith(`${LOG_SUFFIX}${SWAP_SUFFIX}`))) {
    await completeSwap(fs, dir, n, logger);
  }
  // Index swaps or range notes without their `.log.swap` belong to a swap that never
  // committed (or already completed): the old segments are intact, so drop them. The one
  // exception: a `.txnindex.swap` whose `.txnindex` is gone is the last rename of a
  // completed swap (the old index was retired after the commit), so it is finished.
  const left = await fs.readdir(dir);
  for (const n of left) {
    const txnIndexSwap = n.endsWith(`${TXN_INDEX_SUFFIX}${SWAP_SUFFIX}`);
    const target = n.slice(0, -SWAP_SUFFIX.length);
    if (txnIndexSwap && !left.includes(target)) await fs.rename(join(dir, n), join(dir, target));
    else if (n.endsWith(SWAP_SUFFIX) || n.endsWith(`${SWAP_SUFFIX}.range`))
      await fs.rm(join(dir, n), { force: true });
  }
}

/**
 * A `<base>.log.swap` is a committed cleaner output: it replaces every segment whose
 * base offset lies in [base, last], where `last` is read from `<base>.log.swap.range`
 * (written before the `.log.swap` rename that commits the swap). Completing it twice is
 * harmless, so a crash while completing is recovered by completing again.
 */
async function completeSwap(fs: Fs, dir: string, swapName: string, logger: Logger): Promise<void> {
  const parsed = parseSegmentFileName(swapName.slice(0, -SWAP_SUFFIX.length));
  if (parsed === null) return;
  const names = await fs.readdir(dir);
  const rangeFile = names.find((n) => n === `${swapName}.range`);
  let upTo = parsed.baseOffset;
  if (rangeFile !== undefined) {
    const text = (await fs.readFile(join(dir, rangeFile))).toString("utf8");
    if (/^\d+\n?$/.test(text)) upTo = Number(text.trim());
  }
  for (const n of names) {
    const p = parseSegmentFileName(n);
    if (p === null || p.baseOffset < parsed.baseOffset || p.baseOffset > upTo) continue;
    if ((SEGMENT_SUFFIXES as readonly string[]).includes(p.suffix)) {
      await fs.rm(join(dir, n), { force: true });
    }
  }
  for (const n of names) {
    const p = parseSegmentFileName(n.endsWith(SWAP_SUFFIX) ? n.slice(0, -SWAP_SUFFIX.length) : "");
    if (p === null || p.baseOffset !== parsed.baseOffset) continue;
    await fs.rename(join(dir, n), join(dir, n.slice(0, -SWAP_SUFFIX.length)));
  }
  if (rangeFile !== undefined) await fs.rm(join(dir, rangeFile), { force: true });
  logger.info("completed an interrupted compaction swap", {
    dir,
    segment: parsed.baseOffset,
    upTo,
  });
}

export async function removeRetired(fs: Fs, dir: string): Promise<void> {
  for (const n of await fs.readdir(dir)) {
    if (n.endsWith(DELETED_SUFFIX)) await fs.rm(join(dir, n), { force: true });
  }
}
