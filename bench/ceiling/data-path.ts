/**
 * The ceiling's Produce (v3-v8) and Fetch (v4-v11) paths, hand-written over the
 * non-flexible layouts so that nothing but the fields' bytes is touched: the records
 * field of a Produce request is appended as the slice of the request frame it already
 * is, and the records of a Fetch response are written to the socket as the buffers read
 * from the file, after a small header buffer (no concatenation).
 */
import type { PartitionFile } from "./partition-file.js";

export const PRODUCE_VERSIONS = { min: 3, max: 8 } as const;
export const FETCH_VERSIONS = { min: 4, max: 11 } as const;

const OFFSET_OUT_OF_RANGE = 1;
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const CORRUPT_MESSAGE = 2;

export type PartitionLookup = (topic: string, partition: number) => PartitionFile | undefined;

class Cursor {
  at = 0;
  constructor(private readonly buf: Buffer) {}
  i8(): number {
    return this.buf.readInt8(this.at++);
  }
  i16(): number {
    const v = this.buf.readInt16BE(this.at);
    this.at += 2;
    return v;
  }
  i32(): number {
    const v = this.buf.readInt32BE(this.at);
    this.at += 4;
    return v;
  }
  i64(): number {
    const v = Number(this.buf.readBigInt64BE(this.at));
    this.at += 8;
    return v;
  }
  str(): string | null {
    const n = this.i16();
    if (n < 0) return null;
    const s = this.buf.toString("utf8", this.at, this.at + n);
    this.at += n;
    return s;
  }
  bytes(): Buffer | null {
    const n = this.i32();
    if (n < 0) return null;
    const b = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }
}

/** Grows as needed; only for the small header parts of responses. */
class Out {
  private buf = Buffer.allocUnsafe(256);
  at = 4;
  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }
  i8(v: number): void {
    this.room(1);
    this.buf.writeInt8(v, this.at++);
  }
  i16(v: number): void {
    this.room(2);
    this.at = this.buf.writeInt16BE(v, this.at);
  }
  i32(v: number): void {
    this.room(4);
    this.at = this.buf.writeInt32BE(v, this.at);
  }
  i64(v: number): void {
    this.room(8);
    this.at = this.buf.writeBigInt64BE(BigInt(v), this.at);
  }
  str(s: string): void {
    const n = Buffer.byteLength(s);
    this.i16(n);
    this.room(n);
    this.at += this.buf.write(s, this.at);
  }
  private cutAt = 0;
  /** The bytes written since the previous cut (the first part starts with the size prefix). */
  cut(): Buffer {
    const part = this.buf.subarray(this.cutAt, this.at);
    this.cutAt = this.at;
    return part;
  }
}

/** Puts the frame size (everything after the 4-byte prefix) into the first part. */
function framed(parts: Buffer[]): Buffer[] {
  let size = -4;
  for (const p of parts) size += p.length;
  (parts[0] as Buffer).writeInt32BE(size, 0);
  return parts;
}

/** Skips the request header v1 (api key, version, correlation id, client id). */
function body(frame: Buffer): { c: Cursor; version: number; correlationId: number } {
  const c = new Cursor(frame);
  c.i16();
  const version = c.i16();
  const correlationId = c.i32();
  c.str();
  return { c, version, correlationId };
}

export async function handleProduce(frame: Buffer, lookup: PartitionLookup): Promise<Buffer[]> {
  const { c, version, correlationId } = body(frame);
  c.str(); // transactional_id
  const acks = c.i16();
  c.i32(); // timeout_ms
  const topics: { name: string; parts: Promise<[number, number, number]>[] }[] = [];
  const topicCount = c.i32();
  for (let t = 0; t < topicCount; t++) {
    const name = c.str() ?? "";
    const parts: Promise<[number, number, number]>[] = [];
    const partitionCount = c.i32();
    for (let p = 0; p < partitionCount; p++) {
      const index = c.i32();
      const records = c.bytes();
      const file = lookup(name, index);
      if (file === undefined || records === null) {
        parts.push(Promise.resolve([index, UNKNOWN_TOPIC_OR_PARTITION, -1]));
        continue;
      }
      parts.push(
        file
          .append(records)
          .then((base): [number, number, number] =>
            base === null ? [index, CORRUPT_MESSAGE, -1] : [index, 0, base],
          ),
      );
    }
    topics.push({ name, parts });
  }
  const results = await Promise.all(topics.map((t) => Promise.all(t.parts)));
  if (acks === 0) return [];
  const out = new Out();
  out.i32(correlationId);
  out.i32(topics.length);
  topics.forEach((t, i) => {
    out.str(t.name);
    const parts = results[i] as [number, number, number][];
    out.i32(parts.length);
    for (const [index, errorCode, base] of parts) {
      out.i32(index);
      out.i16(errorCode);
      out.i64(base);
      out.i64(-1); // log_append_time_ms
      if (version >= 5) out.i64(0); // log_start_offset
      if (version >= 8) {
        out.i32(0); // record_errors
        out.i16(-1); // error_message
      }
    }
  });
  out.i32(0); // throttle_time_ms
  return framed([out.cut()]);
}

interface FetchPartition {
  topic: string;
  partition: number;
  offset: number;
  maxBytes: number;
}

function parseFetch(frame: Buffer): {
  version: number;
  correlationId: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  partitions: FetchPartition[];
} {
  const { c, version, correlationId } = body(frame);
  c.i32(); // replica_id
  const maxWaitMs = c.i32();
  const minBytes = c.i32();
  const maxBytes = c.i32();
  c.i8(); // isolation_level
  if (version >= 7) {
    c.i32(); // session_id
    c.i32(); // session_epoch
  }
  const partitions: FetchPartition[] = [];
  const topicCount = c.i32();
  for (let t = 0; t < topicCount; t++) {
    const topic = c.str() ?? "";
    const n = c.i32();
    for (let p = 0; p < n; p++) {
      const partition = c.i32();
      if (version >= 9) c.i32(); // current_leader_epoch
      const offset = c.i64();
      if (version >= 5) c.i64(); // log_start_offset
      partitions.push({ topic, partition, offset, maxBytes: c.i32() });
    }
  }
  return { version, correlationId, maxWaitMs, minBytes, maxBytes, partitions };
}

interface PartitionAnswer {
  errorCode: number;
  highWatermark: number;
  bytes: Buffer | null;
}

async function readAll(
  req: ReturnType<typeof parseFetch>,
  lookup: PartitionLookup,
): Promise<{ answers: PartitionAnswer[]; total: number }> {
  let budget = req.maxBytes;
  let total = 0;
  const answers: PartitionAnswer[] = [];
  for (const p of req.partitions) {
    const file = lookup(p.topic, p.partition);
    if (file === undefined) {
      answers.push({ errorCode: UNKNOWN_TOPIC_OR_PARTITION, highWatermark: -1, bytes: null });
      continue;
    }
    // max_bytes is soft: the first non-empty partition may exceed it by one batch.
    const limit = total === 0 ? Math.min(p.maxBytes, req.maxBytes) : Math.min(p.maxBytes, budget);
    if (limit <= 0) {
      answers.push({ errorCode: 0, highWatermark: file.highWatermark, bytes: null });
      continue;
    }
    const r = await file.read(p.offset, limit);
    const bytes = r.bytes;
    total += bytes?.length ?? 0;
    budget -= bytes?.length ?? 0;
    answers.push({
      errorCode: r.outOfRange ? OFFSET_OUT_OF_RANGE : 0,
      highWatermark: r.highWatermark,
      bytes,
    });
  }
  return { answers, total };
}

export async function handleFetch(frame: Buffer, lookup: PartitionLookup): Promise<Buffer[]> {
  const req = parseFetch(frame);
  let { answers, total } = await readAll(req, lookup);
  const deadline = Date.now() + req.maxWaitMs;
  while (total < req.minBytes && !answers.some((a) => a.errorCode !== 0) && Date.now() < deadline) {
    const files = req.partitions.flatMap((p) => lookup(p.topic, p.partition) ?? []);
    await new Promise<void>((resolve) => {
      const cancels: (() => void)[] = [];
      const done = (): void => {
        clearTimeout(timer);
        for (const cancel of cancels) cancel();
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
      for (const f of files) cancels.push(f.onAppend(done));
    });
    ({ answers, total } = await readAll(req, lookup));
  }

  const out = new Out();
  out.i32(req.correlationId);
  out.i32(0); // throttle_time_ms
  if (req.version >= 7) {
    out.i16(0); // error_code
    out.i32(0); // session_id: no sessions, every fetch is a full one
  }
  const parts: Buffer[] = [];
  // Topics keep the request's grouping: consecutive partitions of the same topic.
  const groups: { topic: string; indexes: number[] }[] = [];
  req.partitions.forEach((p, i) => {
    const last = groups[groups.length - 1];
    if (last !== undefined && last.topic === p.topic) last.indexes.push(i);
    else groups.push({ topic: p.topic, indexes: [i] });
  });
  out.i32(groups.length);
  for (const g of groups) {
    out.str(g.topic);
    out.i32(g.indexes.length);
    for (const i of g.indexes) {
      const p = req.partitions[i] as FetchPartition;
      const a = answers[i] as PartitionAnswer;
      out.i32(p.partition);
      out.i16(a.errorCode);
      out.i64(a.highWatermark);
      out.i64(a.highWatermark); // last_stable_offset
      if (req.version >= 5) out.i64(0); // log_start_offset
      out.i32(-1); // aborted_transactions: null
      if (req.version >= 11) out.i32(-1); // preferred_read_replica
      out.i32(a.bytes === null ? -1 : a.bytes.length);
      if (a.bytes !== null && a.bytes.length > 0) parts.push(out.cut(), a.bytes);
    }
  }
  parts.push(out.cut());
  return framed(parts);
}
