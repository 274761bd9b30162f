/** Counters of one cleaning pass, for logs and metrics; the caller owns and reads them. */
export interface CleanStats {
  batchesRead: number;
  recordsRead: number;
  bytesRead: number;
  batchesWritten: number;
  recordsWritten: number;
  bytesWritten: number;
  /** Batches decoded and encoded again because some of their records went. */
  batchesRewritten: number;
}

export function newCleanStats(): CleanStats {
  return {
    batchesRead: 0,
    recordsRead: 0,
    bytesRead: 0,
    batchesWritten: 0,
    recordsWritten: 0,
    bytesWritten: 0,
    batchesRewritten: 0,
  };
}
