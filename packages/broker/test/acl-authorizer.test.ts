/**
 * The Authorizer over a store: bindings enforced only once stored, removals by filter,
 * decisions logged (denials at INFO, allows and quiet denials at DEBUG, with principal,
 * operation, resource, host and decision), and Kafka's authorizeByResourceType rules
 * (InitProducerId without a transactional id).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { memoryLogger } from "@logbook/storage";
import type { AclChange, AclStore } from "../src/acl/acl-store.js";
import {
  type AclBinding,
  AclPermission,
  AclOperation as Op,
  PatternType,
  AclResourceType as Type,
} from "../src/acl/acl-types.js";
import { Authorizer } from "../src/acl/authorizer.js";
import { STANDARD_AUTHORIZER } from "../src/config/authorizer-settings.js";

function memoryStore(initial: AclBinding[] = []) {
  const stored = new Map(initial.map((b) => [JSON.stringify(b), b]));
  const writes: (readonly AclChange[])[] = [];
  let failNext = false;
  const store: AclStore = {
    aclBindings: () => [...stored.values()],
    async writeAcls(changes) {
      if (failNext) {
        failNext = false;
        throw new Error("disk full");
      }
      writes.push(changes);
      for (const c of changes) {
        if (c.removed) stored.delete(JSON.stringify(c.binding));
        else stored.set(JSON.stringify(c.binding), c.binding);
      }
    },
  };
  return { store, writes, stored, failWrite: () => (failNext = true) };
}

const SETTINGS = {
  authorizerClassName: STANDARD_AUTHORIZER,
  superUsers: [] as string[],
  allowEveryoneIfNoAclFound: false,
};

function binding(over: Partial<AclBinding>): AclBinding {
  return {
    resourceType: Type.TOPIC,
    resourceName: "orders",
    patternType: PatternType.LITERAL,
    principal: "User:alice",
    host: "*",
    operation: Op.WRITE,
    permission: AclPermission.ALLOW,
    ...over,
  };
}

const asks = (operation: number, resourceName = "orders") => ({
  principal: "User:alice",
  host: "10.0.0.1",
  operation,
  resourceType: Type.TOPIC,
  resourceName,
});

test("no authorizer class, no authorizer", () => {
  const { store } = memoryStore();
  assert.equal(
    Authorizer.open({ ...SETTINGS, authorizerClassName: "" }, store, memoryLogger()),
    null,
  );
});

test("a binding is enforced once stored, loaded at start, and removed by a filter", async () => {
  const { store, writes, failWrite } = memoryStore([binding({ operation: Op.READ })]);
  const a = Authorizer.open(SETTINGS, store, memoryLogger());
  assert.ok(a !== null);
  assert.ok(a.authorize(asks(Op.READ), 0));
  assert.ok(!a.authorize(asks(Op.WRITE), 0));
  failWrite();
  await assert.rejects(a.create([binding({})]), /disk full/);
  assert.ok(!a.authorize(asks(Op.WRITE), 0), "not stored, not enforced");
  await a.create([binding({}), binding({})]);
  assert.equal(writes.at(-1)?.length, 1, "one binding, written once");
  assert.ok(a.authorize(asks(Op.WRITE), 0));
  // Creating it again writes nothing.
  const before = writes.length;
  await a.create([binding({})]);
  assert.equal(writes.length, before);
  const removed = await a.delete([
    {
      resourceType: Type.ANY,
      resourceName: null,
      patternType: PatternType.ANY,
      principal: "User:alice",
      host: null,
      operation: Op.WRITE,
      permission: AclPermission.ANY,
    },
  ]);
  assert.equal(removed[0]?.length, 1);
  assert.ok(!a.authorize(asks(Op.WRITE), 0));
  assert.ok(a.authorize(asks(Op.READ), 0));
});

test("denials are logged at INFO, allows and quiet denials at DEBUG, with the decision's fields", async () => {
  const logger = memoryLogger();
  const a = Authorizer.open(SETTINGS, memoryStore([binding({})]).store, logger);
  assert.ok(a !== null);
  a.authorize(asks(Op.WRITE), 0);
  a.authorize(asks(Op.READ), 0);
  a.authorize(asks(Op.READ, "other"), 3, true);
  const decisions = logger.events.filter(
    (e) => e.fields.component === "authorizer" && "decision" in e.fields,
  );
  assert.deepEqual(
    decisions.map((e) => [e.level, e.fields.decision, e.fields.operation, e.fields.resource]),
    [
      ["debug", "ALLOWED", "WRITE", "TOPIC:orders"],
      ["info", "DENIED", "READ", "TOPIC:orders"],
      ["debug", "DENIED", "READ", "TOPIC:other"],
    ],
  );
  assert.equal(decisions[1]?.fields.principal, "User:alice");
  assert.equal(decisions[1]?.fields.host, "10.0.0.1");
  assert.equal(decisions[1]?.fields.api, 0);
});

test("by resource type: some ALLOW not covered by a DENY, as Kafka's authorizeByResourceType", () => {
  const anyTopic = (bindings: AclBinding[], settings = SETTINGS) => {
    const a = Authorizer.open(settings, memoryStore(bindings).store, memoryLogger());
    assert.ok(a !== null);
    return a.authorizeByResourceType(
      { principal: "User:alice", host: "10.0.0.1", operation: Op.WRITE, resourceType: Type.TOPIC },
      22,
    );
  };
  assert.equal(anyTopic([]), false);
  assert.equal(anyTopic([], { ...SETTINGS, allowEveryoneIfNoAclFound: true }), true);
  assert.equal(anyTopic([], { ...SETTINGS, superUsers: ["User:alice"] }), true);
  assert.equal(anyTopic([binding({})]), true);
  // The literal allow is covered by a deny of the same name or of a prefix of it.
  assert.equal(anyTopic([binding({}), binding({ permission: AclPermission.DENY })]), false);
  const denyPrefix = binding({
    resourceName: "ord",
    patternType: PatternType.PREFIXED,
    permission: AclPermission.DENY,
  });
  assert.equal(anyTopic([binding({}), denyPrefix]), false);
  assert.equal(anyTopic([binding({ resourceName: "payments" }), denyPrefix]), true);
  // A * deny covers everything; READ does not count for WRITE.
  assert.equal(
    anyTopic([binding({}), binding({ resourceName: "*", permission: AclPermission.DENY })]),
    false,
  );
  assert.equal(anyTopic([binding({ operation: Op.READ })]), false);
  assert.equal(anyTopic([binding({ principal: "User:*", operation: Op.ALL })]), true);
});
