/**
 * Share of the cleanable log that is dirty (written since the last clean):
 * dirty / (clean + dirty), 0 for an empty log.
 */
export function cleanableRatio(cleanBytes: number, dirtyBytes: number): number {
  if (cleanBytes < 0 || dirtyBytes < 0) {
    throw new RangeError(`negative byte count (clean ${cleanBytes}, dirty ${dirtyBytes})`);
  }
  const total = cleanBytes + dirtyBytes;
  return total === 0 ? 0 : dirtyBytes / total;
}

/**
 * Kafka cleans a log once its ratio is strictly above min.cleanable.dirty.ratio, so a
 * ratio of 0 (nothing dirty) never triggers a pass, even with a minimum of 0.
 */
export function shouldClean(ratio: number, minCleanableDirtyRatio: number): boolean {
  return ratio > 0 && ratio > minCleanableDirtyRatio;
}
