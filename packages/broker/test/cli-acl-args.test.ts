/**
 * `logbook acl`'s flags as bindings and filters: the cross product create asks for,
 * Kafka's names in any spelling, and the usage errors a slip gets.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AclOperation,
  AclPermission,
  AclResourceType,
  CLUSTER_NAME,
  PatternType,
} from "@logbook/client";
import {
  type AclResourceFlags,
  bindingsOf,
  filterNamesNothing,
  filterOf,
} from "../src/cli/commands/acl-args.js";
import { UsageError } from "../src/cli/commands/usage-error.js";

const none: AclResourceFlags = { topic: [], group: [], transactionalId: [], operation: [] };

test("create: every principal x resource x operation, literal and host * by default", () => {
  const bs = bindingsOf({
    ...none,
    topic: ["a"],
    cluster: true,
    operation: ["read", "describe-configs"],
    allow: ["User:alice"],
    deny: ["User:bob"],
  });
  assert.equal(bs.length, 8);
  assert.deepEqual(bs[0], {
    resourceType: AclResourceType.TOPIC,
    resourceName: "a",
    patternType: PatternType.LITERAL,
    host: "*",
    operation: AclOperation.READ,
    principal: "User:alice",
    permission: AclPermission.ALLOW,
  });
  assert.ok(
    bs.some(
      (b) =>
        b.resourceType === AclResourceType.CLUSTER &&
        b.resourceName === CLUSTER_NAME &&
        b.operation === AclOperation.DESCRIBE_CONFIGS &&
        b.principal === "User:bob" &&
        b.permission === AclPermission.DENY,
    ),
  );
});

test("operation and pattern names in any case, with - or _ or CamelCase", () => {
  for (const op of ["IdempotentWrite", "idempotent-write", "IDEMPOTENT_WRITE"]) {
    const [b] = bindingsOf({
      ...none,
      group: ["g"],
      operation: [op],
      pattern: "Prefixed",
      allow: ["User:x"],
      deny: [],
    });
    assert.equal(b?.operation, AclOperation.IDEMPOTENT_WRITE, op);
    assert.equal(b?.patternType, PatternType.PREFIXED);
  }
});

test("create refuses what Kafka would not store: no resource, operation or principal; ANY; a bad principal", () => {
  const ok = { ...none, topic: ["t"], operation: ["read"], allow: ["User:a"], deny: [] };
  const refused = (f: typeof ok, why: RegExp) =>
    assert.throws(
      () => bindingsOf(f),
      (e: unknown) => e instanceof UsageError && why.test(e.message),
    );
  refused({ ...ok, topic: [] }, /name a resource/);
  refused({ ...ok, operation: [] }, /at least one --operation/);
  refused({ ...ok, allow: [] }, /name a principal/);
  refused({ ...ok, operation: ["any"] }, /--operation must be one of/);
  refused({ ...ok, pattern: "match" }, /--pattern must be one of LITERAL, PREFIXED/);
  refused({ ...ok, allow: ["alice"] }, /type:name/);
});

test("a filter: what is not named matches anything; delete refuses a filter of nothing", () => {
  const all = filterOf(none);
  assert.deepEqual(all, {
    resourceType: AclResourceType.ANY,
    resourceName: null,
    patternType: PatternType.ANY,
    principal: null,
    host: null,
    operation: AclOperation.ANY,
    permission: AclPermission.ANY,
  });
  assert.ok(filterNamesNothing(all));
  const some = filterOf({ ...none, topic: ["t"], pattern: "match", permission: "deny" });
  assert.equal(some.resourceName, "t");
  assert.equal(some.patternType, PatternType.MATCH);
  assert.equal(some.permission, AclPermission.DENY);
  assert.ok(!filterNamesNothing(some));
  assert.ok(!filterNamesNothing(filterOf({ ...none, principal: "User:a" })));
  assert.throws(() => filterOf({ ...none, topic: ["a", "b"] }), /at most one resource/);
});
