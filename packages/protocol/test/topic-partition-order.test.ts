/** Topic-partitions sort as Kafka's tools sort them: topic by code unit, then partition. */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { byTopicPartition } from "../src/topic-partition-order.js";

test("topics by code unit, as Java's String.compareTo, then partitions by number", () => {
  const tps = [
    { topic: "b", partition: 0 },
    { topic: "a", partition: 10 },
    { topic: "B", partition: 1 },
    { topic: "_x", partition: 0 },
    { topic: "a", partition: 2 },
    { topic: "A-1", partition: 0 },
    { topic: "a.b", partition: 0 },
  ];
  assert.deepEqual(
    tps.sort(byTopicPartition).map((t) => `${t.topic}-${t.partition}`),
    ["A-1-0", "B-1", "_x-0", "a-2", "a-10", "a.b-0", "b-0"],
  );
});

test("byTopicPartition is a total order that agrees with comparing code units", () => {
  const tp = fc.record({ topic: fc.string({ maxLength: 6 }), partition: fc.nat(50) });
  fc.assert(
    fc.property(tp, tp, tp, (a, b, c) => {
      const ab = Math.sign(byTopicPartition(a, b));
      // Antisymmetric (the sum, so that 0 and -0 agree).
      assert.equal(ab + Math.sign(byTopicPartition(b, a)), 0);
      if (a.topic === b.topic) assert.equal(ab, Math.sign(a.partition - b.partition));
      else assert.equal(ab, a.topic < b.topic ? -1 : 1);
      if (ab <= 0 && byTopicPartition(b, c) <= 0) assert.ok(byTopicPartition(a, c) <= 0);
    }),
  );
});
