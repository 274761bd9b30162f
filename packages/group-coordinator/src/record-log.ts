/** One record of `__consumer_offsets`: encoded key, encoded value or null (tombstone). */
export interface LogRecord {
  key: Buffer;
  value: Buffer | null;
}

/**
 * Where the coordinator's records go. `append` resolves once the records are durable
 * (all or nothing); only then are they applied and the request answered. `replay`
 * yields every record from the start, in order, at start-up.
 */
export interface RecordLog {
  append(records: readonly LogRecord[]): Promise<void>;
  replay(visit: (record: LogRecord) => void): Promise<void>;
}

/** An in-memory RecordLog for tests: keeps every appended record in order. */
export class MemoryRecordLog implements RecordLog {
  readonly records: LogRecord[] = [];
  /** Set to make the next appends fail, to test error paths. */
  failAppends: Error | null = null;

  async append(records: readonly LogRecord[]): Promise<void> {
    if (this.failAppends !== null) throw this.failAppends;
    this.records.push(...records);
  }

  async replay(visit: (record: LogRecord) => void): Promise<void> {
    for (const r of this.records) visit(r);
  }
}
