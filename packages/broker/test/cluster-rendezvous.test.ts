/**
 * Rendezvous hashing of partitions over live node ids: a broker leaving moves only its
 * own partitions, one joining takes partitions only for itself, the owner does not depend
 * on the order the ids are listed in, and the partitions spread about evenly.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { rendezvousOwner } from "../src/cluster/rendezvous.js";
import { partitionKey } from "../src/groups/partition-keys.js";

const nodeIdSets = fc.uniqueArray(fc.integer({ min: 0, max: 1_000_000 }), {
  minLength: 2,
  maxLength: 8,
});
const topicNames = fc.stringMatching(/^[a-zA-Z0-9._-]{1,40}$/);

function owners(topic: string, partitions: number, ids: readonly number[]): number[] {
  return Array.from({ length: partitions }, (_, p) => rendezvousOwner(partitionKey(topic, p), ids));
}

test("removing one broker moves only the partitions it led", () => {
  fc.assert(
    fc.property(nodeIdSets, topicNames, fc.nat(), (ids, topic, pick) => {
      const gone = ids[pick % ids.length] as number;
      const rest = ids.filter((id) => id !== gone);
      const before = owners(topic, 200, ids);
      const after = owners(topic, 200, rest);
      for (let p = 0; p < before.length; p++) {
        if (before[p] === gone) assert.ok(rest.includes(after[p] as number));
        else assert.equal(after[p], before[p], `partition ${p} moved off a live broker`);
      }
    }),
  );
});

test("a joining broker takes partitions only for itself", () => {
  fc.assert(
    fc.property(nodeIdSets, topicNames, (ids, topic) => {
      const [joining, ...others] = ids as [number, ...number[]];
      const before = owners(topic, 200, others);
      const after = owners(topic, 200, ids);
      for (let p = 0; p < before.length; p++)
        if (after[p] !== joining) assert.equal(after[p], before[p]);
    }),
  );
});

test("the owner does not depend on the order of the live ids", () => {
  fc.assert(
    fc.property(nodeIdSets, topicNames, fc.nat(100), (ids, topic, partition) => {
      const key = partitionKey(topic, partition);
      const reversed = [...ids].reverse();
      assert.equal(rendezvousOwner(key, ids), rendezvousOwner(key, reversed));
      assert.ok(ids.includes(rendezvousOwner(key, ids)));
    }),
  );
});

test("partitions spread about evenly over the live brokers", () => {
  fc.assert(
    fc.property(nodeIdSets, topicNames, (ids, topic) => {
      const partitions = 600 * ids.length;
      const counts = new Map<number, number>();
      for (const o of owners(topic, partitions, ids)) counts.set(o, (counts.get(o) ?? 0) + 1);
      // 600 expected each; the binomial spread is about ±25, so ±20% is many deviations.
      for (const id of ids) {
        const n = counts.get(id) ?? 0;
        assert.ok(n > 480 && n < 720, `node ${id} leads ${n} of ${partitions}`);
      }
    }),
    { numRuns: 30 },
  );
});

test("no live broker: no owner; one: it owns everything", () => {
  assert.equal(rendezvousOwner("t\u00000", []), -1);
  assert.deepEqual(new Set(owners("t", 50, [7])), new Set([7]));
});
