import {
  type ApiCodec,
  createResponseHeader,
  encodeResponseFrame,
  encodeResponseHeader,
  type FetchResponse,
  sizeResponseHeader,
  Writer,
} from "@logbook/protocol";
import { readBuffers } from "@logbook/storage";

/** A response frame as the socket gets it: one buffer, or parts written back to back. */
export type ResponseFrame = Buffer | readonly Buffer[];

/** Below this a copy is cheaper than one more buffer in the socket's writev. */
const SPLICE_MIN_BYTES = 4096;

/**
 * A Writer that leaves chosen byte fields out of its buffer and notes where they go,
 * so that they can be written to the socket from their own memory.
 */
class SplicingWriter extends Writer {
  readonly splices: { at: number; bytes: Buffer }[] = [];

  constructor(
    buf: Buffer,
    private readonly spliced: ReadonlySet<Buffer>,
  ) {
    super(buf);
  }

  override raw(b: Uint8Array): void {
    if (Buffer.isBuffer(b) && this.spliced.has(b)) this.splices.push({ at: this.pos, bytes: b });
    else super.raw(b);
  }
}

/** Record buffers of responses whose bytes are still being read, and their reads. */
const filling = new WeakMap<Buffer, Promise<void>>();

/**
 * Marks a response's record buffer as still being read: the frame is encoded around it
 * at once, and the connection writes it (and what follows) once `filled` resolves.
 */
export function sendWhenFilled(records: Buffer, filled: Promise<void>): void {
  filling.set(records, filled);
}

/** The read a frame part still waits for, handed to the one connection writing it. */
export function claimFill(part: Buffer): Promise<void> | undefined {
  const filled = filling.get(part);
  if (filled !== undefined) filling.delete(part);
  return filled;
}

/** The record batches of a Fetch response worth writing from where they were read. */
export function fetchRecordBuffers(response: FetchResponse): Buffer[] {
  const out: Buffer[] = [];
  for (const topic of response.responses)
    for (const p of topic.partitions)
      if (p.records !== null && (p.records.length >= SPLICE_MIN_BYTES || filling.has(p.records)))
        out.push(p.records);
  return out;
}

/**
 * Encodes a response frame like encodeResponseFrame, except that each occurrence of a
 * buffer in `spliced` is not copied into the frame: the result is the encoded bytes cut
 * at those places with the buffers themselves in between. Fetch responses are mostly
 * stored record batches, and copying them into one frame buffer was the largest cost
 * of serving a fetch (see docs/performance.md).
 */
export function encodeResponseParts<Res>(
  api: ApiCodec<unknown, Res>,
  version: number,
  correlationId: number,
  body: Res,
  spliced: readonly Buffer[],
): ResponseFrame {
  if (spliced.length === 0) return encodeResponseFrame(api, version, correlationId, body);
  // A copy of a buffer still being read would send what is not there yet.
  const copied = (): ResponseFrame => {
    if (spliced.some((b) => filling.has(b)))
      throw new Error("a response with records still being read could not be framed");
    return encodeResponseFrame(api, version, correlationId, body);
  };
  let splicedBytes = 0;
  for (const b of spliced) splicedBytes += b.length;
  const hv = api.responseHeaderVersion(version);
  const header = createResponseHeader({ correlationId });
  const size = sizeResponseHeader(header, hv) + api.response.size(body, version);
  const w = new SplicingWriter(Buffer.allocUnsafe(4 + size - splicedBytes), new Set(spliced));
  // Every listed buffer must be met exactly as often as listed, or the frame would not
  // fit its buffer; should a caller list one the body does not hold, copy instead.
  let encoded: Buffer;
  try {
    w.int32(size);
    encodeResponseHeader(w, header, hv);
    api.response.encode(w, body, version);
    encoded = w.result();
  } catch {
    return copied();
  }
  let written = 0;
  for (const s of w.splices) written += s.bytes.length;
  if (written !== splicedBytes || encoded.length !== 4 + size - splicedBytes) return copied();
  const parts: Buffer[] = [];
  let from = 0;
  for (const { at, bytes } of w.splices) {
    if (at > from) parts.push(encoded.subarray(from, at));
    parts.push(bytes);
    from = at;
  }
  if (from < encoded.length) parts.push(encoded.subarray(from));
  return parts;
}

/**
 * Called once a frame's parts are written to the socket: the storage read buffers among
 * them (the spliced record batches) go back to the pool for the next read. Nothing else
 * holds them by then: a Fetch response's records are referenced only by the response.
 */
export function recycleParts(parts: readonly Buffer[]): void {
  for (const part of parts) readBuffers.giveBack(part);
}
