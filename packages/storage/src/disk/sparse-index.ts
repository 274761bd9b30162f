/**
 * A sparse, append-only index of (key, relative offset, position)-style entries kept in
 * growable typed arrays, mirrored to a file of fixed-size big-endian entries.
 *
 *   .index      8 bytes per entry: relative offset INT32, file position INT32
 *   .timeindex 12 bytes per entry: timestamp INT64, relative offset INT32
 *
 * Entries are strictly increasing in their key (offset, or timestamp for the time
 * index), so lookups are binary searches. The file is a cache of the log: it can always
 * be rebuilt by scanning the segment, so it is written lazily (at roll, close and
 * checkpoints), never on the append path.
 */
export class OffsetIndex {
  private rel = new Int32Array(64);
  private pos = new Int32Array(64);
  count = 0;
  /** Entries already written to the file. */
  persisted = 0;

  static readonly ENTRY_SIZE = 8;

  append(relativeOffset: number, position: number): void {
    if (this.count > 0 && relativeOffset <= (this.rel[this.count - 1] as number)) return;
    if (this.count === this.rel.length) {
      this.rel = grow(this.rel);
      this.pos = grow(this.pos);
    }
    this.rel[this.count] = relativeOffset;
    this.pos[this.count] = position;
    this.count++;
  }

  /** Position of the last entry whose offset is <= relativeOffset (0 when none). */
  floorPosition(relativeOffset: number): number {
    const i = floorIndex(this.rel, this.count, relativeOffset);
    return i < 0 ? 0 : (this.pos[i] as number);
  }

  /**
   * The last entry at a file position in (after, atMost] whose relative offset is at most
   * `maxRelative`, or null. Entries mark batch starts, so such an entry is a batch
   * boundary known without reading the log.
   */
  lastEntryWithin(
    after: number,
    atMost: number,
    maxRelative: number,
  ): { relativeOffset: number; position: number } | null {
    const i = Math.min(
      floorIndex(this.pos, this.count, atMost),
      floorIndex(this.rel, this.count, maxRelative),
    );
    if (i < 0 || (this.pos[i] as number) <= after) return null;
    return { relativeOffset: this.rel[i] as number, position: this.pos[i] as number };
  }

  /** Drops entries at or after a file position (truncation, recovery). */
  truncateToPosition(position: number): void {
    while (this.count > 0 && (this.pos[this.count - 1] as number) >= position) this.count--;
    this.persisted = Math.min(this.persisted, this.count);
  }

  /** Bytes of the entries not yet in the file, from entry `persisted` on. */
  unpersistedBytes(): Buffer {
    const n = this.count - this.persisted;
    const out = Buffer.allocUnsafe(n * OffsetIndex.ENTRY_SIZE);
    for (let i = 0; i < n; i++) {
      out.writeInt32BE(this.rel[this.persisted + i] as number, i * 8);
      out.writeInt32BE(this.pos[this.persisted + i] as number, i * 8 + 4);
    }
    return out;
  }

  /** Parses an index file; null when it is not a valid index for a log of `logSize` bytes. */
  static parse(bytes: Buffer, logSize: number): OffsetIndex | null {
    if (bytes.length % OffsetIndex.ENTRY_SIZE !== 0) return null;
    const idx = new OffsetIndex();
    for (let at = 0; at < bytes.length; at += 8) {
      const rel = bytes.readInt32BE(at);
      const pos = bytes.readInt32BE(at + 4);
      const prev = idx.count - 1;
      if (rel < 0 || pos < 0 || pos >= logSize) return null;
      if (prev >= 0 && (rel <= (idx.rel[prev] as number) || pos <= (idx.pos[prev] as number))) {
        return null;
      }
      idx.append(rel, pos);
    }
    idx.persisted = idx.count;
    return idx;
  }
}

export class TimeIndex {
  private ts = new Float64Array(64);
  private rel = new Int32Array(64);
  count = 0;
  persisted = 0;

  static readonly ENTRY_SIZE = 12;

  /** Adds an entry when `timestamp` is newer than the last one. */
  maybeAppend(timestamp: number, relativeOffset: number): void {
    if (this.count > 0 && timestamp <= (this.ts[this.count - 1] as number)) return;
    if (this.count === this.ts.length) {
      this.ts = grow(this.ts);
      this.rel = grow(this.rel);
    }
    this.ts[this.count] = timestamp;
    this.rel[this.count] = relativeOffset;
    this.count++;
  }

  /** Relative offset of the last entry with timestamp < `timestamp`, or -1. */
  floorBefore(timestamp: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ts[mid] as number) < timestamp) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? -1 : (this.rel[found] as number);
  }

  last(): { timestamp: number; relativeOffset: number } | null {
    if (this.count === 0) return null;
    return {
      timestamp: this.ts[this.count - 1] as number,
      relativeOffset: this.rel[this.count - 1] as number,
    };
  }

  truncateToRelativeOffset(relativeOffset: number): void {
    while (this.count > 0 && (this.rel[this.count - 1] as number) >= relativeOffset) this.count--;
    this.persisted = Math.min(this.persisted, this.count);
  }

  unpersistedBytes(): Buffer {
    const n = this.count - this.persisted;
    const out = Buffer.allocUnsafe(n * TimeIndex.ENTRY_SIZE);
    for (let i = 0; i < n; i++) {
      out.writeBigInt64BE(BigInt(this.ts[this.persisted + i] as number), i * 12);
      out.writeInt32BE(this.rel[this.persisted + i] as number, i * 12 + 8);
    }
    return out;
  }

  static parse(bytes: Buffer): TimeIndex | null {
    if (bytes.length % TimeIndex.ENTRY_SIZE !== 0) return null;
    const idx = new TimeIndex();
    for (let at = 0; at < bytes.length; at += 12) {
      const ts = Number(bytes.readBigInt64BE(at));
      const rel = bytes.readInt32BE(at + 8);
      const prev = idx.count - 1;
      if (rel < 0) return null;
      if (prev >= 0 && (ts <= (idx.ts[prev] as number) || rel < (idx.rel[prev] as number)))
        return null;
      idx.maybeAppend(ts, rel);
    }
    idx.persisted = idx.count;
    return idx;
  }
}

function floorIndex(keys: Int32Array, count: number, key: number): number {
  let lo = 0;
  let hi = count - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as number) <= key) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function grow<T extends Int32Array | Float64Array>(a: T): T {
  const next = new (a.constructor as new (n: number) => T)(a.length * 2);
  next.set(a);
  return next;
}
