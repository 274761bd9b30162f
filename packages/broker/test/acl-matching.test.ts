/**
 * The authorizer's decisions (Kafka's StandardAuthorizer semantics) and the ACL filters:
 * examples of each rule, then fast-check properties comparing the indexed lookup with a
 * naive reference that scans every binding.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { filterMatches } from "../src/acl/acl-filter.js";
import { AclIndex } from "../src/acl/acl-index.js";
import { type AclPolicy, type AclRequest, decide } from "../src/acl/acl-match.js";
import {
  type AclBinding,
  type AclFilter,
  AclPermission,
  AclOperation as Op,
  PatternType,
  AclResourceType as Type,
} from "../src/acl/acl-types.js";
import { invalidBinding } from "../src/acl/acl-validation.js";
import { clientHost } from "../src/acl/check.js";

const { ALLOW, DENY } = AclPermission;
const { LITERAL, PREFIXED } = PatternType;

function binding(over: Partial<AclBinding>): AclBinding {
  return {
    resourceType: Type.TOPIC,
    resourceName: "orders",
    patternType: LITERAL,
    principal: "User:alice",
    host: "*",
    operation: Op.READ,
    permission: ALLOW,
    ...over,
  };
}

function ask(over: Partial<AclRequest>): AclRequest {
  return {
    principal: "User:alice",
    host: "10.0.0.1",
    operation: Op.READ,
    resourceType: Type.TOPIC,
    resourceName: "orders",
    ...over,
  };
}

const STRICT: AclPolicy = { superUsers: new Set(), allowEveryoneIfNoAclFound: false };

function decideWith(bindings: AclBinding[], r: AclRequest, policy = STRICT) {
  const index = new AclIndex();
  for (const b of bindings) index.add(b);
  return decide(index, policy, r);
}

test("an ALLOW for the principal allows; nothing at all denies unless allow.everyone.if.no.acl.found", () => {
  assert.equal(decideWith([binding({})], ask({})), "ALLOWED");
  assert.equal(decideWith([], ask({})), "DENIED");
  const open = { superUsers: new Set<string>(), allowEveryoneIfNoAclFound: true };
  assert.equal(decideWith([], ask({}), open), "ALLOWED");
  // Any ACL on the resource, even for someone else, turns the open default off.
  assert.equal(decideWith([binding({ principal: "User:bob" })], ask({}), open), "DENIED");
  // An ACL on another resource does not.
  assert.equal(decideWith([binding({ resourceName: "other" })], ask({}), open), "ALLOWED");
});

test("DENY wins over ALLOW, and a DENY of ALL denies every operation", () => {
  const allow = binding({ operation: Op.ALL });
  assert.equal(decideWith([allow, binding({ permission: DENY })], ask({})), "DENIED");
  const denyAll = binding({ operation: Op.ALL, permission: DENY, principal: "User:*" });
  assert.equal(decideWith([allow, denyAll], ask({ operation: Op.WRITE })), "DENIED");
});

test("READ, WRITE, DELETE and ALTER imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS; DENY implies nothing", () => {
  for (const op of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER]) {
    assert.equal(
      decideWith([binding({ operation: op })], ask({ operation: Op.DESCRIBE })),
      "ALLOWED",
    );
  }
  assert.equal(
    decideWith([binding({ operation: Op.CREATE })], ask({ operation: Op.DESCRIBE })),
    "DENIED",
  );
  const alterConfigs = binding({ operation: Op.ALTER_CONFIGS });
  assert.equal(decideWith([alterConfigs], ask({ operation: Op.DESCRIBE_CONFIGS })), "ALLOWED");
  const bothRead = [binding({ operation: Op.ALL }), binding({ permission: DENY })];
  assert.equal(decideWith(bothRead, ask({ operation: Op.DESCRIBE })), "ALLOWED");
});

test("the * literal, prefixes, User:* and the * host match; super users skip the ACLs", () => {
  assert.equal(decideWith([binding({ resourceName: "*" })], ask({})), "ALLOWED");
  const prefixed = binding({ resourceName: "ord", patternType: PREFIXED });
  assert.equal(decideWith([prefixed], ask({})), "ALLOWED");
  assert.equal(decideWith([prefixed], ask({ resourceName: "or" })), "DENIED");
  // A literal name is not a prefix.
  assert.equal(decideWith([binding({ resourceName: "ord" })], ask({})), "DENIED");
  assert.equal(decideWith([binding({ principal: "User:*" })], ask({})), "ALLOWED");
  // User:* is every user, not every principal type.
  assert.equal(
    decideWith([binding({ principal: "User:*" })], ask({ principal: "Group:x" })),
    "DENIED",
  );
  assert.equal(decideWith([binding({ host: "10.0.0.2" })], ask({})), "DENIED");
  assert.equal(decideWith([binding({ host: "10.0.0.1" })], ask({})), "ALLOWED");
  const su = { superUsers: new Set(["User:alice"]), allowEveryoneIfNoAclFound: false };
  assert.equal(
    decideWith([binding({ permission: DENY, operation: Op.ALL })], ask({}), su),
    "ALLOWED",
  );
});

test("the client host drops the port and the IPv4-mapped form", () => {
  assert.equal(clientHost("127.0.0.1:5000"), "127.0.0.1");
  assert.equal(clientHost("::ffff:127.0.0.1:5000"), "127.0.0.1");
  assert.equal(clientHost("::1:5000"), "::1");
});

test("CreateAcls refuses what Kafka refuses", () => {
  assert.equal(invalidBinding(binding({})), null);
  assert.match(
    invalidBinding(binding({ resourceType: Type.CLUSTER, resourceName: "x" })) ?? "",
    /only valid name for the CLUSTER resource is kafka-cluster/,
  );
  assert.equal(invalidBinding(binding({ resourceName: "" })), "Invalid empty resource name");
  assert.equal(invalidBinding(binding({ resourceType: Type.ANY })), "Invalid resourceType ANY");
  assert.equal(
    invalidBinding(binding({ patternType: PatternType.MATCH })),
    "Invalid patternType MATCH",
  );
  assert.equal(invalidBinding(binding({ operation: Op.ANY })), "Invalid operation ANY");
  assert.equal(
    invalidBinding(binding({ permission: AclPermission.ANY })),
    "Invalid permissionType ANY",
  );
  assert.match(invalidBinding(binding({ principal: "alice" })) ?? "", /Could not parse principal/);
});

// --- properties against a naive reference ---

const NAMES = ["a", "ab", "abc", "b", "*"];
const PRINCIPALS = ["User:alice", "User:bob", "User:*", "Group:g"];
const HOSTS = ["*", "h1", "h2"];
const OPS = [
  Op.ALL,
  Op.READ,
  Op.WRITE,
  Op.CREATE,
  Op.DELETE,
  Op.ALTER,
  Op.DESCRIBE,
  Op.DESCRIBE_CONFIGS,
  Op.ALTER_CONFIGS,
];
const TYPES = [Type.TOPIC, Type.GROUP];

const arbBinding: fc.Arbitrary<AclBinding> = fc.record({
  resourceType: fc.constantFrom(...TYPES),
  resourceName: fc.constantFrom(...NAMES),
  patternType: fc.constantFrom(LITERAL, PREFIXED),
  principal: fc.constantFrom(...PRINCIPALS),
  host: fc.constantFrom(...HOSTS),
  operation: fc.constantFrom(...OPS),
  permission: fc.constantFrom(ALLOW, DENY),
});

const arbRequest: fc.Arbitrary<AclRequest> = fc.record({
  principal: fc.constantFrom("User:alice", "User:bob", "Group:g"),
  host: fc.constantFrom("h1", "h2"),
  operation: fc.constantFrom(...OPS.filter((o) => o !== Op.ALL)),
  resourceType: fc.constantFrom(...TYPES),
  resourceName: fc.constantFrom("a", "ab", "abc", "b", "c"),
});

/** Kafka's rules written as plainly as possible, over every binding. */
function reference(bindings: AclBinding[], policy: AclPolicy, r: AclRequest): string {
  if (policy.superUsers.has(r.principal)) return "ALLOWED";
  const onResource = bindings.filter(
    (b) =>
      b.resourceType === r.resourceType &&
      (b.patternType === LITERAL
        ? b.resourceName === r.resourceName || b.resourceName === "*"
        : r.resourceName.startsWith(b.resourceName)),
  );
  const implied = (b: AclBinding): boolean =>
    b.operation === Op.ALL ||
    b.operation === r.operation ||
    (b.permission === ALLOW &&
      ((r.operation === Op.DESCRIBE &&
        [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER].some((o) => o === b.operation)) ||
        (r.operation === Op.DESCRIBE_CONFIGS && b.operation === Op.ALTER_CONFIGS)));
  const applicable = onResource.filter(
    (b) =>
      (b.principal === r.principal ||
        (b.principal === "User:*" && r.principal.split(":")[0] === "User")) &&
      (b.host === "*" || b.host === r.host) &&
      implied(b),
  );
  if (applicable.some((b) => b.permission === DENY)) return "DENIED";
  if (applicable.some((b) => b.permission === ALLOW)) return "ALLOWED";
  return onResource.length === 0 && policy.allowEveryoneIfNoAclFound ? "ALLOWED" : "DENIED";
}

const arbPolicy: fc.Arbitrary<AclPolicy> = fc.record({
  superUsers: fc.subarray(["User:alice", "User:bob"]).map((s) => new Set(s)),
  allowEveryoneIfNoAclFound: fc.boolean(),
});

test("property: the indexed decision equals the naive scan", () => {
  fc.assert(
    fc.property(fc.array(arbBinding, { maxLength: 12 }), arbPolicy, arbRequest, (bs, policy, r) => {
      assert.equal(decideWith(bs, r, policy), reference(bs, policy, r));
    }),
    { numRuns: 3000 },
  );
});

test("property: the index holds exactly the set of bindings added and not removed", () => {
  const arbStep = fc.record({ add: fc.boolean(), b: arbBinding });
  fc.assert(
    fc.property(fc.array(arbStep, { maxLength: 40 }), (steps) => {
      const index = new AclIndex();
      const model = new Map<string, AclBinding>();
      for (const { add, b } of steps) {
        const key = JSON.stringify(b);
        assert.equal(add ? index.add(b) : index.remove(b), add ? !model.has(key) : model.has(key));
        if (add) model.set(key, b);
        else model.delete(key);
      }
      assert.equal(index.size, model.size);
      const listed = [...index.all()].map((b) => JSON.stringify(b)).sort();
      assert.deepEqual(listed, [...model.keys()].sort());
    }),
  );
});

const arbFilter: fc.Arbitrary<AclFilter> = fc.record({
  resourceType: fc.constantFrom(Type.ANY, ...TYPES),
  resourceName: fc.option(fc.constantFrom("a", "ab", "abc", "*"), { nil: null }),
  patternType: fc.constantFrom(PatternType.ANY, PatternType.MATCH, LITERAL, PREFIXED),
  principal: fc.option(fc.constantFrom(...PRINCIPALS), { nil: null }),
  host: fc.option(fc.constantFrom(...HOSTS), { nil: null }),
  operation: fc.constantFrom(Op.ANY, ...OPS),
  permission: fc.constantFrom(AclPermission.ANY, ALLOW, DENY),
});

test("property: a MATCH filter on a resource finds exactly the bindings that cover it", () => {
  fc.assert(
    fc.property(
      arbBinding,
      fc.constantFrom("a", "ab", "abc"),
      fc.constantFrom(...TYPES),
      (b, name, type) => {
        const index = new AclIndex();
        index.add(b);
        const covering = [...index.covering(type, name)].length === 1;
        const filter: AclFilter = {
          resourceType: type,
          resourceName: name,
          patternType: PatternType.MATCH,
          principal: null,
          host: null,
          operation: Op.ANY,
          permission: AclPermission.ANY,
        };
        assert.equal(filterMatches(filter, b), covering);
      },
    ),
  );
});

test("property: a filter with every field set to the binding's own matches it; ANY/null fields match all", () => {
  fc.assert(
    fc.property(arbBinding, arbFilter, (b, f) => {
      const exact: AclFilter = { ...b, patternType: b.patternType };
      assert.ok(filterMatches(exact, b));
      const open: AclFilter = {
        resourceType: Type.ANY,
        resourceName: null,
        patternType: PatternType.ANY,
        principal: null,
        host: null,
        operation: Op.ANY,
        permission: AclPermission.ANY,
      };
      assert.ok(filterMatches(open, b));
      // Narrowing a field to another value never matches more.
      if (f.principal !== null && f.principal !== b.principal) assert.ok(!filterMatches(f, b));
      if (f.operation !== Op.ANY && f.operation !== b.operation) assert.ok(!filterMatches(f, b));
    }),
  );
});
