import { type BatchSpec, buildBatch, decodeBatch, RecordBatchHeader } from "@logbook/protocol";

/** A fixed, realistic epoch-millisecond base for test timestamps. */
export const T0 = 1_700_000_000_000;

export interface TestRecord {
  value?: string | Buffer | null;
  key?: string | Buffer | null;
  /** Epoch ms; default T0 + the record's index in its batch. */
  timestamp?: number;
}

export type MakeBatchOptions = Omit<
  BatchSpec,
  "records" | "baseTimestamp" | "maxTimestamp" | "lastOffsetDelta"
>;

function bytesOf(v: string | Buffer | null | undefined): Buffer | null {
  if (v === undefined || v === null) return null;
  return typeof v === "string" ? Buffer.from(v) : v;
}

/**
 * A producer-style batch (baseOffset 0, epoch -1, valid CRC). `records` may be a count:
 * that many records valued "v0", "v1", ... stamped T0, T0+1, ...
 */
export function makeBatch(
  records: readonly TestRecord[] | number,
  options: MakeBatchOptions = {},
): Promise<Buffer> {
  const list: readonly TestRecord[] =
    typeof records === "number"
      ? Array.from({ length: records }, (_, i) => ({ value: `v${i}` }))
      : records;
  return buildBatch(
    list.map((r, i) => ({
      timestamp: BigInt(r.timestamp ?? T0 + i),
      key: bytesOf(r.key),
      value: r.value === undefined ? Buffer.from(`v${i}`) : bytesOf(r.value),
    })),
    options,
  );
}

/** A batch of `count` records whose values pad it to exactly `size` bytes. */
export async function makeBatchOfSize(size: number, count = 1, timestamp = T0): Promise<Buffer> {
  const build = (firstExtra: number, each: number) =>
    makeBatch(
      Array.from({ length: count }, (_, i) => ({
        value: Buffer.alloc(Math.max(0, each + (i === 0 ? firstExtra : 0)), 0x61 + (i % 26)),
        timestamp: timestamp + i,
      })),
    );
  const each = Math.max(0, Math.floor((size - 61) / count) - 8);
  // Sizes of varints vary, so measure and pad the first value by the difference.
  const first = await build(0, each);
  const exact = await build(size - first.length, each);
  if (exact.length !== size) throw new RangeError(`cannot make a ${size}-byte batch`);
  return exact;
}

export interface BatchView {
  baseOffset: number;
  lastOffset: number;
  partitionLeaderEpoch: number;
  bytes: Buffer;
}

/** Splits a records blob into its batches (views, not copies). */
export function splitBatches(blob: Buffer): BatchView[] {
  const out: BatchView[] = [];
  let pos = 0;
  while (pos < blob.length) {
    const h = RecordBatchHeader.at(blob, pos);
    out.push({
      baseOffset: Number(h.baseOffset),
      lastOffset: Number(h.lastOffset),
      partitionLeaderEpoch: h.partitionLeaderEpoch,
      bytes: h.bytes(),
    });
    pos = h.end;
  }
  return out;
}

/** A copy with baseOffset and partitionLeaderEpoch zeroed: the fields the broker stamps. */
export function withoutStamps(batch: Buffer): Buffer {
  const copy = Buffer.from(batch);
  copy.fill(0, 0, 8);
  copy.fill(0, 12, 16);
  return copy;
}

export interface ReadRecord {
  offset: number;
  timestamp: number;
  value: string | null;
}

/** Every record of every batch in a blob, with absolute offsets and timestamps. */
export async function decodeRecords(blob: Buffer): Promise<ReadRecord[]> {
  const out: ReadRecord[] = [];
  for (const view of splitBatches(blob)) {
    const batch = await decodeBatch(view.bytes);
    for (const r of batch.records) {
      out.push({
        offset: Number(batch.baseOffset) + r.offsetDelta,
        timestamp: Number(batch.baseTimestamp + r.timestampDelta),
        value: r.value === null ? null : r.value.toString(),
      });
    }
  }
  return out;
}

/** A copy of `batch` with one byte flipped inside the CRC-covered area. */
export function corruptCrc(batch: Buffer): Buffer {
  const copy = Buffer.from(batch);
  const at = copy.length - 1;
  copy[at] = (copy[at] ?? 0) ^ 0xff;
  return copy;
}
