/**
 * Buffers for log reads, handed out again once the bytes read into them are gone.
 *
 * Why: a fetch reads up to partition_max_bytes (1 MiB by default) into a new buffer,
 * and every new ArrayBuffer counts as external memory that V8 weighs against its
 * old-generation limit. Under a steady consume that started a full mark-compact every
 * few dozen fetches (about 60 for 768 MiB read, see docs/performance.md "Consume
 * path"), whose marking cost more CPU than the reads themselves.
 *
 * Contract: `take` gives a buffer of at least `size` bytes (a slice of a larger one).
 * Whoever ends up holding it may call `giveBack` once nothing refers to its bytes any
 * more (the broker does so when a Fetch response has been written to the socket);
 * a buffer never given back is simply garbage-collected. Giving back a buffer that was
 * not taken here, or twice (even after its memory was taken again), does nothing.
 * Buffers under MIN_POOLED bytes are not pooled: they cost little and would only
 * fragment the free lists.
 */

const MIN_POOLED = 64 * 1024;
const MAX_POOLED = 16 * 1024 * 1024;
/**
 * Bytes kept idle in the free lists at most; beyond that, given-back buffers go to GC.
 * Above the 50 MiB a fetch response holds by default (fetch.max.bytes), so a consumer
 * of many partitions finds the buffers of its last response again.
 */
const MAX_IDLE_BYTES = 64 * 1024 * 1024;

export class ReadBufferPool {
  /** Free buffers by size class (a power of two). */
  private readonly free = new Map<number, ArrayBuffer[]>();
  /** Taken and not yet given back; weak, so a buffer never given back is not kept. */
  private readonly out = new WeakSet<ArrayBuffer>();
  private idleBytes = 0;
  /** For tests: buffers handed out again instead of allocated. */
  reused = 0;

  constructor(private readonly maxIdleBytes = MAX_IDLE_BYTES) {}

  take(size: number): Buffer {
    if (size < MIN_POOLED || size > MAX_POOLED) return Buffer.allocUnsafe(size);
    const cls = sizeClass(size);
    let ab = this.free.get(cls)?.pop();
    if (ab === undefined) ab = Buffer.allocUnsafeSlow(cls).buffer as ArrayBuffer;
    else {
      this.idleBytes -= cls;
      this.reused++;
    }
    this.out.add(ab);
    return Buffer.from(ab, 0, size);
  }

  /**
   * Returns `buf`'s memory for reuse; its bytes must not be read or written after this.
   * The memory moves to a new ArrayBuffer and every view of the old one (the holder's,
   * and stale ones from earlier takes) is left detached, empty: a view can then never
   * give back, or see, memory that a later take handed to someone else.
   */
  giveBack(buf: Uint8Array): void {
    const old = buf.buffer;
    if (!(old instanceof ArrayBuffer) || !this.out.has(old)) return;
    this.out.delete(old);
    let ab: ArrayBuffer;
    try {
      ab = structuredClone(old, { transfer: [old] });
    } catch {
      return; // not transferable: left to GC
    }
    const cls = ab.byteLength;
    if (this.idleBytes + cls > this.maxIdleBytes) return;
    let list = this.free.get(cls);
    if (list === undefined) {
      list = [];
      this.free.set(cls, list);
    }
    list.push(ab);
    this.idleBytes += cls;
  }
}

function sizeClass(size: number): number {
  return 2 ** Math.ceil(Math.log2(size));
}

/** The process's pool: the disk engine reads into it, the broker gives fetched bytes back. */
export const readBuffers = new ReadBufferPool();
