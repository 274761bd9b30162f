/** `socket.request.max.bytes` default of the reference broker: 100 MiB. */
export const DEFAULT_MAX_FRAME_SIZE = 100 * 1024 * 1024;

/** Largest size an INT32 prefix can express. */
const MAX_INT32 = 0x7fffffff;

const SIZE_PREFIX_BYTES = 4;

/**
 * A size prefix the decoder refuses: negative, or above the configured maximum.
 * Fatal for the connection, since the stream can no longer be resynchronised.
 */
export class FrameSizeError extends Error {
  override readonly name = "FrameSizeError";
  constructor(
    readonly reason: "negative" | "too-large",
    readonly declaredSize: number,
    readonly maxFrameSize: number,
  ) {
    super(
      reason === "negative"
        ? `frame size prefix is negative (${declaredSize})`
        : `frame of ${declaredSize} bytes exceeds the maximum of ${maxFrameSize}`,
    );
  }
}

/** What one `push` produced: the frames completed by the chunk, then maybe a fatal error. */
export interface FrameDecodeResult {
  readonly frames: Buffer[];
  /** Set once a bad size prefix is seen; every later push returns it again. */
  readonly error: FrameSizeError | undefined;
}

export interface FrameDecoderOptions {
  /** Largest accepted frame body in bytes (the 4 prefix bytes not counted). */
  readonly maxFrameSize?: number;
}

/**
 * Splits a byte stream into Kafka frames (INT32 big-endian size, then that many bytes).
 *
 * Feed it socket chunks of any size. A frame that lies inside one chunk is returned as a
 * view of that chunk (no copy); only a frame spread over several chunks is copied, once,
 * when its last byte arrives. The size prefix is checked against the maximum before
 * anything is kept for it, and the bytes held while waiting never exceed the current
 * frame's (already checked) size plus 3 prefix bytes.
 *
 * Not safe to share between connections; one decoder per socket.
 */
export class FrameDecoder {
  readonly maxFrameSize: number;

  // Size prefix split across chunks.
  private readonly prefix = Buffer.alloc(SIZE_PREFIX_BYTES);
  private prefixFilled = 0;
  // Body of the current frame when it spans chunks; views into the chunks, concatenated
  // once complete.
  private frameSize = -1;
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private fatal: FrameSizeError | undefined;

  constructor(options: FrameDecoderOptions = {}) {
    const max = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    if (!Number.isInteger(max) || max < 0 || max > MAX_INT32) {
      throw new RangeError(`maxFrameSize must be an integer in 0..${MAX_INT32}, got ${max}`);
    }
    this.maxFrameSize = max;
  }

  /** Bytes held for a frame that is not complete yet (prefix bytes included). */
  get bufferedBytes(): number {
    return this.prefixFilled + this.partsBytes;
  }

  /** True when the stream stopped inside a frame; at end of stream that is a truncation. */
  get midFrame(): boolean {
    return this.prefixFilled > 0 || this.frameSize >= 0;
  }

  get error(): FrameSizeError | undefined {
    return this.fatal;
  }

  push(chunk: Uint8Array): FrameDecodeResult {
    const frames: Buffer[] = [];
    if (this.fatal !== undefined) return { frames, error: this.fatal };
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let off = 0;
    while (true) {
      if (this.frameSize < 0) {
        const size = this.readSizePrefix(buf, off);
        if (size === undefined) break;
        off += size.consumed;
        const error = this.checkSize(size.value);
        if (error !== undefined) {
          this.fail(error);
          return { frames, error };
        }
        this.frameSize = size.value;
      }
      const available = buf.length - off;
      const missing = this.frameSize - this.partsBytes;
      if (this.parts.length === 0 && available >= missing) {
        frames.push(buf.subarray(off, off + missing));
        off += missing;
        this.frameSize = -1;
        continue;
      }
      if (available === 0) break;
      const take = Math.min(missing, available);
      this.parts.push(buf.subarray(off, off + take));
      this.partsBytes += take;
      off += take;
      if (this.partsBytes === this.frameSize) {
        frames.push(Buffer.concat(this.parts, this.frameSize));
        this.parts = [];
        this.partsBytes = 0;
        this.frameSize = -1;
      }
    }
    return { frames, error: undefined };
  }

  /** Reads the next prefix, straight from the chunk when all 4 bytes are there. */
  private readSizePrefix(
    buf: Buffer,
    off: number,
  ): { value: number; consumed: number } | undefined {
    if (this.prefixFilled === 0 && buf.length - off >= SIZE_PREFIX_BYTES) {
      return { value: buf.readInt32BE(off), consumed: SIZE_PREFIX_BYTES };
    }
    const take = Math.min(SIZE_PREFIX_BYTES - this.prefixFilled, buf.length - off);
    if (take === 0) return undefined;
    buf.copy(this.prefix, this.prefixFilled, off, off + take);
    this.prefixFilled += take;
    if (this.prefixFilled < SIZE_PREFIX_BYTES) {
      // Everything left in the chunk was consumed into the prefix.
      return undefined;
    }
    this.prefixFilled = 0;
    return { value: this.prefix.readInt32BE(0), consumed: take };
  }

  private checkSize(size: number): FrameSizeError | undefined {
    if (size < 0) return new FrameSizeError("negative", size, this.maxFrameSize);
    if (size > this.maxFrameSize) return new FrameSizeError("too-large", size, this.maxFrameSize);
    return undefined;
  }

  private fail(error: FrameSizeError): void {
    this.fatal = error;
    this.parts = [];
    this.partsBytes = 0;
    this.prefixFilled = 0;
    this.frameSize = -1;
  }
}
