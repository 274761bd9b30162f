/**
 * A share group's own configs decide where its share-partitions start
 * (share.auto.offset.reset: earliest, latest, by_duration) and how long its records stay
 * locked, independently of other groups on the same topic.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { buildBatch, ErrorCode, ProduceApi, ShareFetchApi } from "@logbook/protocol";
import { records } from "./helpers/data-broker.js";
import { onlyProduceResult, produceRequest } from "./helpers/data-requests.js";
import {
  acquired,
  onlyPartition,
  type ShareTestBroker,
  shareFetch,
  shareTestBroker,
} from "./helpers/share-fakes.js";

const HOUR = 3_600_000;
let b: ShareTestBroker;

before(async () => {
  b = await shareTestBroker({ lockDurationMs: 30_000 }, "memory:", {
    early: { autoOffsetReset: { kind: "earliest" }, lockDurationMs: 5000 },
    recent: { autoOffsetReset: { kind: "by_duration", durationMs: HOUR } },
    late: { autoOffsetReset: { kind: "latest" } },
  });
  for (const g of ["early", "recent", "late"]) b.membership.join(g, "m");
});
after(() => b.close());

async function produceAt(topic: string, n: number, prefix: string, at: number): Promise<void> {
  const batch = await buildBatch(records(n, prefix, false, BigInt(at)));
  const r = onlyProduceResult(await b.call(ProduceApi, 9, produceRequest(topic, 0, batch)));
  assert.equal(r.errorCode, ErrorCode.NONE);
}

test("share.auto.offset.reset per group: earliest, by_duration (records no older than it), latest", async () => {
  const topicId = b.topics.add("jobs", 1).id;
  const tp = { topicId, partition: 0 };
  const now = b.share.state?.clock.now() ?? Date.now();
  await produceAt("jobs", 3, "old", now - 3 * HOUR); // offsets 0-2
  await produceAt("jobs", 2, "new", now - HOUR / 2); // offsets 3-4

  const early = await b.call(ShareFetchApi, 1, shareFetch("early", "m", 0, [tp]));
  assert.deepEqual(acquired(onlyPartition(early)), [[0n, 4n, 1]]);
  assert.equal(early.acquisitionLockTimeoutMs, 5000, "the group's own lock duration");

  const recent = await b.call(ShareFetchApi, 1, shareFetch("recent", "m", 0, [tp]));
  assert.deepEqual(acquired(onlyPartition(recent)), [[3n, 4n, 1]]);
  assert.equal(recent.acquisitionLockTimeoutMs, 30_000, "the broker's lock duration");

  const late = await b.call(ShareFetchApi, 1, shareFetch("late", "m", 0, [tp]));
  assert.deepEqual(
    late.responses.flatMap((t) => t.partitions.flatMap(acquired)),
    [],
  );
  await produceAt("jobs", 1, "next", now);
  const next = await b.call(ShareFetchApi, 1, shareFetch("late", "m", 1, []));
  assert.deepEqual(acquired(onlyPartition(next)), [[5n, 5n, 1]]);
});
