import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { rangeAssign } from "../src/range-assignor.js";

test("ranges per topic, members in id order, the first ones one more when it does not divide", () => {
  const a = rangeAssign(
    new Map([
      ["m-b", ["orders", "audit"]],
      ["m-a", ["orders"]],
      ["m-c", ["orders", "audit"]],
    ]),
    new Map([
      ["orders", 7],
      ["audit", 1],
    ]),
  );
  assert.deepEqual(a.get("m-a"), [{ topic: "orders", partitions: [0, 1, 2] }]);
  assert.deepEqual(a.get("m-b"), [
    { topic: "audit", partitions: [0] },
    { topic: "orders", partitions: [3, 4] },
  ]);
  assert.deepEqual(a.get("m-c"), [{ topic: "orders", partitions: [5, 6] }]);
});

test("every partition of a subscribed topic goes to exactly one of its subscribers", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 0, max: 40 }),
      (members, partitions) => {
        const subs = new Map(Array.from({ length: members }, (_, i) => [`m${i}`, ["t"]]));
        const a = rangeAssign(subs, new Map([["t", partitions]]));
        const all = [...a.values()]
          .flatMap((named) => named.flatMap((n) => n.partitions))
          .sort((x, y) => x - y);
        assert.deepEqual(
          all,
          Array.from({ length: partitions }, (_, i) => i),
        );
        const sizes = [...a.values()].map((named) =>
          named.reduce((n, t) => n + t.partitions.length, 0),
        );
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
      },
    ),
  );
});
