/**
 * Fetch responses encoded as parts (record batches written from their own buffers)
 * must be byte for byte the frame the codec encodes in one buffer, for every Fetch
 * version and any mix of small, large, empty, null and repeated record buffers.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createFetchResponse,
  createFetchResponseFetchableTopicResponse,
  createFetchResponsePartitionData,
  encodeResponseFrame,
  FetchApi,
  type FetchResponse,
} from "@logbook/protocol";
import fc from "fast-check";
import {
  encodeResponseParts,
  fetchRecordBuffers,
  type ResponseFrame,
} from "../src/server/response-frame.js";

function joined(frame: ResponseFrame): Buffer {
  return Buffer.isBuffer(frame) ? frame : Buffer.concat(frame);
}

function response(topics: (Buffer | null)[][]): FetchResponse {
  return createFetchResponse({
    sessionId: 7,
    responses: topics.map((partitions, t) =>
      createFetchResponseFetchableTopicResponse({
        topic: `topic-${t}`,
        topicId: Buffer.alloc(16, t + 1),
        partitions: partitions.map((records, partitionIndex) =>
          createFetchResponsePartitionData({
            partitionIndex,
            highWatermark: 100n,
            lastStableOffset: 100n,
            logStartOffset: 0n,
            abortedTransactions: null,
            preferredReadReplica: -1,
            records,
          }),
        ),
      }),
    ),
  });
}

const recordsArb = fc.oneof(
  fc.constant(null),
  fc.constant(Buffer.alloc(0)),
  fc.integer({ min: 1, max: 200 }).map((n) => Buffer.alloc(n, 1)),
  fc.integer({ min: 4096, max: 70_000 }).map((n) => Buffer.alloc(n, 2)),
);

test("a Fetch response in parts is the codec's frame, for every version", () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(recordsArb, { maxLength: 4 }), { maxLength: 3 }),
      fc.integer({ min: FetchApi.minVersion, max: FetchApi.maxVersion }),
      fc.integer(),
      (topics, version, correlationId) => {
        const body = response(topics);
        const expected = encodeResponseFrame(FetchApi, version, correlationId, body);
        const spliced = fetchRecordBuffers(body);
        const frame = encodeResponseParts(FetchApi, version, correlationId, body, spliced);
        assert.deepEqual(joined(frame), expected);
        // The large record buffers are sent as they are, not copied.
        if (!Buffer.isBuffer(frame)) for (const b of spliced) assert.ok(frame.includes(b));
      },
    ),
    { numRuns: 300 },
  );
});

test("the same large buffer in two partitions is sent twice, uncopied", () => {
  const shared = Buffer.alloc(10_000, 3);
  const body = response([[shared, shared]]);
  const frame = encodeResponseParts(FetchApi, 11, 1, body, fetchRecordBuffers(body));
  assert.ok(!Buffer.isBuffer(frame));
  assert.equal(frame.filter((b) => b === shared).length, 2);
  assert.deepEqual(joined(frame), encodeResponseFrame(FetchApi, 11, 1, body));
});

test("a listed buffer the body does not hold falls back to one copied frame", () => {
  const body = response([[Buffer.alloc(5000, 4)]]);
  const frame = encodeResponseParts(FetchApi, 12, 2, body, [Buffer.alloc(5000, 5)]);
  assert.ok(Buffer.isBuffer(frame));
  assert.deepEqual(frame, encodeResponseFrame(FetchApi, 12, 2, body));
});
