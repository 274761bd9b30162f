import * as crypto from "node:crypto";

/** Bytes of key digest kept per entry: 128 bits, so accidental collisions need ~2^64 keys. */
export const KEY_DIGEST_BYTES = 16;
/** One slot: the digest as four 32-bit words plus the offset as a float64. */
export const OFFSET_MAP_BYTES_PER_SLOT = KEY_DIGEST_BYTES + 8;
/** Highest share of slots in use: linear probing stays short below 3/4 full. */
const LOAD_FACTOR = 0.75;
const EMPTY = -1;

/**
 * The digest of a record key: SHA-256 truncated to 128 bits. Not MD5 (Kafka's default)
 * because MD5 collisions can be crafted, and a collision makes the cleaner drop a
 * record of a different key.
 */
export function keyDigest(key: Uint8Array): Buffer {
  const full =
    oneShotHash?.("sha256", key, "buffer") ?? crypto.createHash("sha256").update(key).digest();
  return full.subarray(0, KEY_DIGEST_BYTES);
}

/** crypto.hash (Node 20.12+) is about twice as fast as createHash for short keys. */
type OneShotHash = (algorithm: string, data: Uint8Array, outputEncoding: "buffer") => Buffer;
const oneShotHash = (crypto as { hash?: OneShotHash }).hash;

/**
 * Key -> latest offset over the dirty section of a compacted log, bounded in memory:
 * it stores a 128-bit digest of each key, never the key, in a table allocated once
 * (`maxEntries` * ~32 bytes). Once `maxEntries` distinct keys are in, a new key is
 * refused and the builder reports how far the map got.
 *
 * `endOffset` is the exclusive end of the offsets the map has accounted for: every
 * keyed record below it (from where the build started) is in the map. The cleaner
 * keeps every record at or above it unexamined, so a partial map is always safe.
 *
 * Concurrency contract: none needed; one cleaning pass owns its map, and every method
 * is synchronous.
 */
export class OffsetMap {
  readonly maxEntries: number;
  private readonly slots: number;
  private readonly digests: Uint32Array;
  private readonly offsets: Float64Array;
  private entries = 0;
  private coveredEnd = 0;

  constructor(maxEntries: number) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`offset map needs at least one entry, got ${maxEntries}`);
    }
    this.maxEntries = maxEntries;
    this.slots = Math.ceil(maxEntries / LOAD_FACTOR) + 1;
    this.digests = new Uint32Array(this.slots * 4);
    this.offsets = new Float64Array(this.slots).fill(EMPTY);
  }

  /** The largest map that fits in `bytes` (Kafka's log.cleaner.dedupe.buffer.size). */
  static forMemory(bytes: number): OffsetMap {
    const entries = Math.floor((bytes * LOAD_FACTOR) / OFFSET_MAP_BYTES_PER_SLOT);
    return new OffsetMap(Math.max(1, entries));
  }

  /** Distinct keys stored. */
  get size(): number {
    return this.entries;
  }

  get isFull(): boolean {
    return this.entries >= this.maxEntries;
  }

  /** Exclusive end of the offsets accounted for; 0 for a fresh map (it covers nothing). */
  get endOffset(): number {
    return this.coveredEnd;
  }

  /** Bytes held by the table. */
  get memoryBytes(): number {
    return this.digests.byteLength + this.offsets.byteLength;
  }

  /**
   * Records `offset` as the latest for `key` (a later put wins; offsets arrive in
   * increasing order). Returns false, changing nothing, when the key is new and the
   * map is full.
   */
  put(key: Uint8Array, offset: number): boolean {
    const w = words(keyDigest(key));
    const slot = this.find(w);
    if (this.offsets[slot] === EMPTY) {
      if (this.isFull) return false;
      this.digests.set(w, slot * 4);
      this.entries++;
    }
    this.offsets[slot] = offset;
    this.advanceTo(offset + 1);
    return true;
  }

  /** The latest offset stored for `key`, or undefined when the key was not seen. */
  get(key: Uint8Array): number | undefined {
    const offset = this.offsets[this.find(words(keyDigest(key)))];
    return offset === undefined || offset === EMPTY ? undefined : offset;
  }

  /** Marks offsets below `offset` as accounted for (records the map skips: no key, markers). */
  advanceTo(offset: number): void {
    if (offset > this.coveredEnd) this.coveredEnd = offset;
  }

  clear(): void {
    this.digests.fill(0);
    this.offsets.fill(EMPTY);
    this.entries = 0;
    this.coveredEnd = 0;
  }

  /** The slot holding `digest`, or the empty slot where it would go. */
  private find(w: Uint32Array): number {
    let slot = (w[0] ?? 0) % this.slots;
    // Never loops forever: the table always keeps empty slots (load factor < 1).
    for (;;) {
      if (this.offsets[slot] === EMPTY) return slot;
      const at = slot * 4;
      const d = this.digests;
      if (d[at] === w[0] && d[at + 1] === w[1] && d[at + 2] === w[2] && d[at + 3] === w[3]) {
        return slot;
      }
      slot = slot + 1 === this.slots ? 0 : slot + 1;
    }
  }
}

function words(digest: Buffer): Uint32Array {
  return Uint32Array.of(
    digest.readUInt32LE(0),
    digest.readUInt32LE(4),
    digest.readUInt32LE(8),
    digest.readUInt32LE(12),
  );
}
