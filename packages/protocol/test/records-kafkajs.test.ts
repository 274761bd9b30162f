/**
 * Golden tests against kafkajs 2.2.4's own RecordBatch encoder, run in-process: what
 * kafkajs writes must decode to exactly what it was given and re-encode byte for byte.
 * kafkajs has gzip built in besides none, so those are the codecs covered here.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeBatch, encodeBatch, validateBatch } from "../src/records/index.js";

interface KafkajsEncoder {
  buffer: Buffer;
}
interface KafkajsLong {
  fromValue(v: string | number): unknown;
}
type KafkajsRecord = (r: {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
}) => KafkajsEncoder;
type KafkajsRecordBatch = (b: {
  compression: number;
  firstOffset: unknown;
  firstTimestamp: number;
  maxTimestamp: number;
  partitionLeaderEpoch: number;
  lastOffsetDelta: number;
  transactional: boolean;
  producerId: unknown;
  producerEpoch: number;
  firstSequence: number;
  records: KafkajsEncoder[];
}) => Promise<KafkajsEncoder>;

const require = createRequire(import.meta.url);
const Long = require("kafkajs/src/utils/long") as KafkajsLong;
const Record = require("kafkajs/src/protocol/recordBatch/record/v0") as KafkajsRecord;
const { RecordBatch } = require("kafkajs/src/protocol/recordBatch/v0") as {
  RecordBatch: KafkajsRecordBatch;
};

interface Case {
  compression: 0 | 1;
  firstOffset: bigint;
  firstTimestamp: number;
  partitionLeaderEpoch: number;
  transactional: boolean;
  producerId: bigint;
  producerEpoch: number;
  firstSequence: number;
  records: Array<{
    timestampDelta: number;
    key: Buffer | null;
    value: Buffer | null;
    headers: Record<string, Buffer>;
  }>;
}

async function kafkajsBytes(c: Case): Promise<Buffer> {
  const maxDelta = Math.max(0, ...c.records.map((r) => r.timestampDelta));
  const encoder = await RecordBatch({
    compression: c.compression,
    firstOffset: Long.fromValue(c.firstOffset.toString()),
    firstTimestamp: c.firstTimestamp,
    maxTimestamp: c.firstTimestamp + maxDelta,
    partitionLeaderEpoch: c.partitionLeaderEpoch,
    lastOffsetDelta: c.records.length - 1,
    transactional: c.transactional,
    producerId: Long.fromValue(c.producerId.toString()),
    producerEpoch: c.producerEpoch,
    firstSequence: c.firstSequence,
    records: c.records.map((r, i) =>
      Record({
        offsetDelta: i,
        timestampDelta: r.timestampDelta,
        key: r.key,
        value: r.value,
        headers: r.headers,
      }),
    ),
  });
  return encoder.buffer;
}

async function checkCase(c: Case): Promise<void> {
  const bytes = await kafkajsBytes(c);
  assert.equal(validateBatch(bytes).ok, true, "kafkajs batch validates");
  const b = await decodeBatch(bytes);
  assert.equal(b.baseOffset, c.firstOffset);
  assert.equal(b.partitionLeaderEpoch, c.partitionLeaderEpoch);
  assert.equal(b.compression, c.compression);
  assert.equal(b.isTransactional, c.transactional);
  assert.equal(b.baseTimestamp, BigInt(c.firstTimestamp));
  assert.equal(b.producerId, c.producerId);
  assert.equal(b.producerEpoch, c.producerEpoch);
  assert.equal(b.baseSequence, c.firstSequence);
  assert.equal(b.recordsCount, c.records.length);
  assert.equal(b.lastOffsetDelta, c.records.length - 1);
  assert.deepEqual(
    b.records.map((r) => ({
      timestampDelta: Number(r.timestampDelta),
      offsetDelta: r.offsetDelta,
      key: r.key,
      value: r.value,
      headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value])),
    })),
    c.records.map((r, i) => ({ ...r, offsetDelta: i })),
  );
  assert.deepEqual(await encodeBatch(b), bytes, "re-encodes byte for byte");
}

const fixed: Case = {
  compression: 0,
  firstOffset: 0n,
  firstTimestamp: 1700000000000,
  partitionLeaderEpoch: 0,
  transactional: false,
  producerId: -1n,
  producerEpoch: 0,
  firstSequence: 0,
  records: [
    { timestampDelta: 0, key: Buffer.from("key-1"), value: Buffer.from("value-1"), headers: {} },
    {
      timestampDelta: 5,
      key: null,
      value: Buffer.from("value-2"),
      headers: { trace: Buffer.from("abc") },
    },
    {
      timestampDelta: 300,
      key: Buffer.from("k3"),
      value: null,
      headers: { a: Buffer.from("1"), b: Buffer.alloc(0) },
    },
  ],
};

describe("kafkajs RecordBatch golden bytes", () => {
  it("uncompressed batch", () => checkCase(fixed));
  it("gzip batch", () => checkCase({ ...fixed, compression: 1 }));
  it("transactional idempotent batch at a large offset", () =>
    checkCase({
      ...fixed,
      compression: 1,
      firstOffset: 9007199254740993n,
      transactional: true,
      producerId: 4242424242n,
      producerEpoch: 17,
      firstSequence: 123456,
      partitionLeaderEpoch: 9,
    }));

  it("random batches (property)", async () => {
    const bytes = fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u));
    const record = fc.record({
      timestampDelta: fc.integer({ min: 0, max: 2 ** 40 }),
      key: fc.option(bytes, { nil: null }),
      value: fc.option(bytes, { nil: null }),
      headers: fc
        .dictionary(fc.stringMatching(/^[a-z]{1,8}$/), bytes, { maxKeys: 3 })
        .map((d) => ({ ...d })),
    });
    const batch = fc.record({
      compression: fc.constantFrom(0 as const, 1 as const),
      firstOffset: fc.bigInt({ min: 0n, max: 2n ** 62n }),
      firstTimestamp: fc.integer({ min: 0, max: 2 ** 45 }),
      partitionLeaderEpoch: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
      transactional: fc.boolean(),
      producerId: fc.bigInt({ min: -1n, max: 2n ** 62n }),
      producerEpoch: fc.integer({ min: -1, max: 32767 }),
      firstSequence: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
      records: fc.array(record, { minLength: 1, maxLength: 6 }),
    });
    await fc.assert(
      fc.asyncProperty(batch, (c) => checkCase(c)),
      { numRuns: 150 },
    );
  });
});
