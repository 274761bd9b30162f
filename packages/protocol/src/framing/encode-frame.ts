const MAX_INT32 = 0x7fffffff;

/** The 4-byte big-endian size prefix for a frame body of `length` bytes. */
export function frameSizePrefix(length: number): Buffer {
  if (!Number.isInteger(length) || length < 0 || length > MAX_INT32) {
    throw new RangeError(`frame body length ${length} does not fit an INT32 size prefix`);
  }
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeInt32BE(length, 0);
  return prefix;
}

/**
 * `body` with its size prefix, in one new buffer. To avoid the copy of a large body,
 * write `frameSizePrefix(body.length)` and the body separately (e.g. a corked socket).
 */
export function encodeFrame(body: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(4 + body.length);
  frameSizePrefix(body.length).copy(frame, 0);
  frame.set(body, 4);
  return frame;
}
