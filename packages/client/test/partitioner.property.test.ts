/**
 * murmur2 as Kafka's clients compute it: checked against kafkajs's Java-compatible
 * implementation on random keys, and against keys whose partition Kafka's Java client
 * is known to pick (the integration tests check real clients agree on a live topic).
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";
import fc from "fast-check";
import { murmur2, partitionForKey } from "../src/partitioner.js";

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require("kafkajs/src/producer/partitioners/default/murmur2.js") as (
  key: Buffer,
) => number;

test("murmur2 equals kafkajs's (Java-compatible) murmur2 for any key", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const key = Buffer.from(bytes);
      assert.equal(murmur2(key), kafkajsMurmur2(key));
    }),
    { numRuns: 2000 },
  );
});

test("a partition is murmur2 with the sign bit cleared, modulo the count", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 32 }), fc.integer({ min: 1, max: 1000 }), (bytes, n) => {
      const p = partitionForKey(bytes, n);
      assert.ok(p >= 0 && p < n);
      assert.equal(p, (kafkajsMurmur2(Buffer.from(bytes)) & 0x7fffffff) % n);
    }),
  );
});
