/**
 * File names in Kafka's on-disk layout: one directory per topic-partition
 * (`<topic>-<partition>`), segment files named by the 20-digit zero-padded base offset.
 */
export const LOG_SUFFIX = ".log";
export const INDEX_SUFFIX = ".index";
export const TIME_INDEX_SUFFIX = ".timeindex";
/** Aborted transactions whose ABORT marker is in the segment (Kafka's `.txnindex`). */
export const TXN_INDEX_SUFFIX = ".txnindex";
/** Every per-segment file that belongs with a `.log` (renamed, swapped and deleted together). */
export const SEGMENT_SUFFIXES = [".log", ".index", ".timeindex", TXN_INDEX_SUFFIX] as const;
/** Marks files being removed asynchronously; removed at the next open if left behind. */
export const DELETED_SUFFIX = ".deleted";
/** A cleaner's output while being written; discarded at open. */
export const CLEANED_SUFFIX = ".cleaned";
/** A complete cleaner output waiting to replace old segments; completed at open. */
export const SWAP_SUFFIX = ".swap";
export const CHECKPOINT_FILE = "logbook.checkpoint";

export function segmentFileName(baseOffset: number, suffix: string): string {
  return `${String(baseOffset).padStart(20, "0")}${suffix}`;
}

/** Base offset of a segment file name like `00000000000000000042.log`, or null. */
export function parseSegmentFileName(name: string): { baseOffset: number; suffix: string } | null {
  const m = /^(\d{20})(\.[a-z.]+)$/.exec(name);
  if (m === null) return null;
  return { baseOffset: Number(m[1]), suffix: m[2] as string };
}

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** Splits `<topic>-<partition>`; topics may contain '-', the partition is after the last one. */
export function parsePartitionDirName(name: string): { topic: string; partition: number } | null {
  const m = /^(.+)-(\d+)$/.exec(name);
  if (m === null) return null;
  return { topic: m[1] as string, partition: Number(m[2]) };
}
