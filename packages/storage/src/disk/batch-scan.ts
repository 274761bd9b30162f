import { BATCH_HEADER_SIZE, BatchField, LOG_OVERHEAD, validateBatch } from "@logbook/protocol";
import type { FsFile } from "../env/fs.js";

/** What the storage engine needs to know about one stored batch. */
export interface BatchInfo {
  /** File position of the batch's first byte. */
  position: number;
  /** Whole batch size in bytes (batchLength + 12). */
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

/** Reads the header fields of the batch at `at` in `buf` (61 bytes must be present). */
export function batchInfoAt(buf: Buffer, at: number, position: number): BatchInfo {
  const baseOffset = Number(buf.readBigInt64BE(at + BatchField.baseOffset));
  return {
    position,
    size: buf.readInt32BE(at + BatchField.batchLength) + LOG_OVERHEAD,
    baseOffset,
    lastOffset: baseOffset + buf.readInt32BE(at + BatchField.lastOffsetDelta),
    maxTimestamp: Number(buf.readBigInt64BE(at + BatchField.maxTimestamp)),
  };
}

export type ScanItem =
  | { kind: "batch"; info: BatchInfo; bytes?: Buffer }
  | { kind: "invalid"; position: number; reason: string };

/** Validation reads whole batches, so it reads big; header walks need only a little. */
const VALIDATE_CHUNK = 1 << 20;
const HEADER_CHUNK = 16 << 10;

/**
 * Walks the batches stored in [start, end) of a segment file, reading it in large
 * chunks. With `validate`, each batch's length, magic and CRC-32C are checked and the
 * walk ends at the first bad or torn batch with an "invalid" item; without it only the
 * header is trusted (for data already validated, below the recovery point).
 */
export async function* scanBatches(
  fh: FsFile,
  start: number,
  end: number,
  validate: boolean,
): AsyncGenerator<ScanItem> {
  const CHUNK = validate ? VALIDATE_CHUNK : HEADER_CHUNK;
  let chunk: Buffer = Buffer.alloc(0);
  let chunkStart = start;
  let pos = start;
  while (pos < end) {
    // Make sure the header, then (when validating) the whole batch, is in memory.
    let need = Math.min(BATCH_HEADER_SIZE, end - pos);
    if (pos + need > chunkStart + chunk.length) {
      chunk = await readAt(fh, pos, Math.min(Math.max(CHUNK, need), end - pos));
      chunkStart = pos;
    }
    if (end - pos < BATCH_HEADER_SIZE || chunk.length - (pos - chunkStart) < BATCH_HEADER_SIZE) {
      yield { kind: "invalid", position: pos, reason: `torn header: ${end - pos} bytes left` };
      return;
    }
    const at = pos - chunkStart;
    const info = batchInfoAt(chunk, at, pos);
    if (info.size < BATCH_HEADER_SIZE || chunk.readInt8(at + BatchField.magic) !== 2) {
      yield { kind: "invalid", position: pos, reason: `bad header (size ${info.size})` };
      return;
    }
    if (pos + info.size > end) {
      yield {
        kind: "invalid",
        position: pos,
        reason: `torn batch: ${info.size} bytes claimed, ${end - pos} left`,
      };
      return;
    }
    if (validate) {
      need = info.size;
      let bytes: Buffer;
      if (at + need <= chunk.length) bytes = chunk.subarray(at, at + need);
      else {
        chunk = await readAt(fh, pos, Math.min(Math.max(CHUNK, need), end - pos));
        chunkStart = pos;
        bytes = chunk.subarray(0, need);
      }
      const v = validateBatch(bytes);
      if (!v.ok) {
        yield { kind: "invalid", position: pos, reason: `${v.reason}: ${v.detail}` };
        return;
      }
      yield { kind: "batch", info, bytes };
    } else {
      yield { kind: "batch", info };
    }
    pos += info.size;
  }
}

/**
 * Reads exactly `length` bytes at `position` (fewer only at end of file), into a buffer
 * from `alloc` (a new one by default).
 */
export async function readAt(
  fh: FsFile,
  position: number,
  length: number,
  alloc: (size: number) => Buffer = Buffer.allocUnsafe,
): Promise<Buffer> {
  const buf = alloc(length);
  const done = await readInto(fh, buf, position);
  return done === length ? buf : buf.subarray(0, done);
}

/** Fills `buf` with the bytes at `position`; returns how many there were (fewer at end of file). */
export async function readInto(fh: FsFile, buf: Buffer, position: number): Promise<number> {
  let done = 0;
  while (done < buf.length) {
    const { bytesRead } = await fh.read(buf, done, buf.length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}
