/**
 * Which quota applies to a (user, client-id) pair (quotas/quota-precedence.ts): Kafka's
 * documented order, from /config/users/<user>/clients/<client-id> down to
 * /config/clients/<default>, each level taking over when the ones above set nothing.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { entityId, type QuotaEntity } from "../src/quotas/quota-entity.js";
import { precedenceOf, quotaFor } from "../src/quotas/quota-precedence.js";

const u = (name: string | null) => ({ entityType: "user", entityName: name });
const c = (name: string | null) => ({ entityType: "client-id", entityName: name });

/** Kafka's table, most specific first (client-id sorts before user in an entity). */
const LEVELS: [string, QuotaEntity][] = [
  ["/config/users/alice/clients/app", [c("app"), u("alice")]],
  ["/config/users/alice/clients/<default>", [c(null), u("alice")]],
  ["/config/users/alice", [u("alice")]],
  ["/config/users/<default>/clients/app", [c("app"), u(null)]],
  ["/config/users/<default>/clients/<default>", [c(null), u(null)]],
  ["/config/users/<default>", [u(null)]],
  ["/config/clients/app", [c("app")]],
  ["/config/clients/<default>", [c(null)]],
];

test("the precedence order is Kafka's documented table", () => {
  assert.deepEqual(
    precedenceOf("alice", "app").map(entityId),
    LEVELS.map(([, e]) => entityId(e)),
  );
});

test("each level applies exactly when every level above it sets nothing", () => {
  for (let level = 0; level < LEVELS.length; level++) {
    // Every level from `level` down sets its own value: the first one must win.
    const set = new Map(
      LEVELS.slice(level).map(([, e], i) => [
        entityId(e),
        new Map([["producer_byte_rate", 100 + level + i]]),
      ]),
    );
    const q = quotaFor("alice", "app", "producer_byte_rate", (e) => set.get(entityId(e)));
    assert.equal(q?.value, 100 + level, LEVELS[level]?.[0]);
    assert.equal(entityId(q?.entity ?? []), entityId(LEVELS[level]?.[1] ?? []));
  }
});

test("a quota on another key, user or client id does not apply", () => {
  const set = new Map([
    [entityId([u("bob")]), new Map([["producer_byte_rate", 1]])],
    [entityId([c("other")]), new Map([["producer_byte_rate", 2]])],
    [entityId([u("alice")]), new Map([["consumer_byte_rate", 3]])],
  ]);
  assert.equal(
    quotaFor("alice", "app", "producer_byte_rate", (e) => set.get(entityId(e))),
    undefined,
  );
  assert.equal(
    quotaFor("alice", "app", "consumer_byte_rate", (e) => set.get(entityId(e)))?.value,
    3,
  );
});
