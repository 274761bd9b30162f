import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createFetchRequest,
  createFetchRequestPartition,
  createFetchRequestTopic,
  ErrorCode,
} from "@logbook/protocol";
import fc from "fast-check";
import { planFetch } from "../src/data/fetch-plan.js";
import { FetchSessionCache } from "../src/data/fetch-sessions.js";
import { fetchRequest } from "./helpers/data-requests.js";

describe("FetchSessionCache", () => {
  it("hands out distinct non-zero ids and evicts the least recently used", () => {
    const cache = new FetchSessionCache(3);
    const [a, b, c] = [cache.create(false), cache.create(false), cache.create(false)];
    assert.equal(new Set([a.id, b.id, c.id, 0]).size, 4);
    assert.equal(cache.get(a.id), a); // a is now the most recent
    cache.create(false);
    assert.equal(cache.size, 3);
    assert.equal(cache.get(b.id), undefined);
    assert.equal(cache.get(a.id), a);
  });
});

describe("planFetch", () => {
  const part = (partition: number, offset: bigint) => ({ topic: "t", partition, offset });

  it("is sessionless for session 0 / epoch -1", () => {
    const cache = new FetchSessionCache();
    const plan = planFetch(fetchRequest([part(0, 5n)]), 12, cache);
    assert.equal(plan.kind, "full");
    assert.equal(plan.kind === "full" && plan.session, null);
    assert.equal(cache.size, 0);
  });

  it("lists a partition named twice once, at its first place with its last values", () => {
    const ids = [1, 2, 3].map((n) => Buffer.alloc(16, n));
    const request = fc.array(
      fc.record({
        topic: fc.integer({ min: 0, max: 2 }),
        partitions: fc.array(
          fc.record({ partition: fc.integer({ min: 0, max: 4 }), offset: fc.bigInt(0n, 99n) }),
          { maxLength: 6 },
        ),
      }),
      { maxLength: 5 },
    );
    fc.assert(
      fc.property(request, fc.constantFrom(12, 13), (topics, version) => {
        const req = createFetchRequest({
          topics: topics.map((t) =>
            createFetchRequestTopic({
              topic: `t${t.topic}`,
              topicId: ids[t.topic] as Buffer,
              partitions: t.partitions.map((p) =>
                createFetchRequestPartition({ partition: p.partition, fetchOffset: p.offset }),
              ),
            }),
          ),
        });
        // What Kafka's map of the request's partitions holds, in its order.
        const expected = new Map<string, bigint>();
        for (const t of topics)
          for (const p of t.partitions) expected.set(`t${t.topic}:${p.partition}`, p.offset);
        const plan = planFetch(req, version, new FetchSessionCache());
        assert.ok(plan.kind === "full");
        assert.deepEqual(
          plan.partitions.map((p) => [`${p.topic}:${p.partition}`, p.fetchOffset]),
          [...expected],
        );
      }),
      { numRuns: 300 },
    );
  });

  it("keeps session partitions, updates offsets and drops forgotten ones", () => {
    const cache = new FetchSessionCache();
    const created = planFetch(
      fetchRequest([part(0, 1n), part(1, 2n)], { sessionEpoch: 0 }),
      12,
      cache,
    );
    assert.ok(created.kind === "full" && created.session !== null);
    const id = created.session.id;
    const inc = planFetch(
      fetchRequest([part(1, 9n)], {
        sessionId: id,
        sessionEpoch: 1,
        forgottenTopicsData: [{ topic: "t", topicId: Buffer.alloc(16), partitions: [0] }],
      }),
      12,
      cache,
    );
    assert.equal(inc.kind, "incremental");
    assert.deepEqual(
      inc.kind === "incremental" && inc.partitions.map((p) => [p.partition, p.fetchOffset]),
      [[1, 9n]],
    );
    // The epoch moved on: replaying epoch 1 is refused.
    const replay = planFetch(fetchRequest([], { sessionId: id, sessionEpoch: 1 }), 12, cache);
    assert.equal(
      replay.kind === "error" && replay.errorCode,
      ErrorCode.INVALID_FETCH_SESSION_EPOCH,
    );
    // A session made with names cannot continue with topic ids.
    const mixed = planFetch(fetchRequest([], { sessionId: id, sessionEpoch: 2 }), 13, cache);
    assert.equal(mixed.kind === "error" && mixed.errorCode, ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR);
  });
});
