import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { AssignmentInput } from "../src/assignors/assignor.js";
import { rangeAssignor } from "../src/assignors/range.js";
import {
  assertComplete,
  groupArb,
  member,
  plain,
  topicCounts,
  withCurrent,
} from "./assignor-helpers.js";

const assign = (input: AssignmentInput) => rangeAssignor.assign(input);

describe("range assignor", () => {
  it("is named range", () => {
    assert.equal(rangeAssignor.name, "range");
  });

  it("co-partitions: two members, two topics of 3 partitions (Kafka's documented example)", () => {
    const input = {
      members: [member("M0", ["T1", "T2"]), member("M1", ["T1", "T2"])],
      topics: topicCounts({ T1: 3, T2: 3 }),
    };
    assert.deepEqual(plain(assign(input)), {
      M0: { T1: [0, 1], T2: [0, 1] },
      M1: { T1: [2], T2: [2] },
    });
  });

  it("static members keep their ranges when bounced under new member ids", () => {
    const topics = topicCounts({ T1: 3, T2: 3 });
    const before = assign({
      members: [member("M0", ["T1", "T2"], {}, "I0"), member("M1", ["T1", "T2"], {}, "I1")],
      topics,
    });
    // After a rolling bounce I0 is M3 and I1 is M2: member id order is reversed.
    const after = assign({
      members: [member("M3", ["T1", "T2"], {}, "I0"), member("M2", ["T1", "T2"], {}, "I1")],
      topics,
    });
    assert.deepEqual(after.get("M3"), before.get("M0"));
    assert.deepEqual(after.get("M2"), before.get("M1"));
    // Without instance ids the member id order decides.
    const dynamic = assign({
      members: [member("M3", ["T1", "T2"]), member("M2", ["T1", "T2"])],
      topics,
    });
    assert.deepEqual(plain(dynamic).M2, { T1: [0, 1], T2: [0, 1] });
  });

  it("static members come before dynamic ones", () => {
    const input = {
      members: [member("a", ["t"]), member("b", ["t"], {}, "static")],
      topics: topicCounts({ t: 3 }),
    };
    assert.deepEqual(plain(assign(input)), { a: { t: [2] }, b: { t: [0, 1] } });
  });

  it("heterogeneous: each topic is ranged over its own subscribers", () => {
    const input = {
      members: [member("a", ["t1"]), member("b", ["t1", "t2"]), member("c", ["t2"])],
      topics: topicCounts({ t1: 5, t2: 2 }),
    };
    assert.deepEqual(plain(assign(input)), {
      a: { t1: [0, 1, 2] },
      b: { t1: [3, 4], t2: [0] },
      c: { t2: [1] },
    });
  });

  it("more members than partitions: the last members get nothing of that topic", () => {
    const input = {
      members: [member("a", ["t"]), member("b", ["t"]), member("c", ["t"])],
      topics: topicCounts({ t: 2 }),
    };
    assert.deepEqual(plain(assign(input)), { a: { t: [0] }, b: { t: [1] }, c: {} });
  });

  it("assigns every subscribed partition exactly once, only to subscribers", () => {
    for (const homogeneous of [true, false]) {
      fc.assert(
        fc.property(groupArb(homogeneous), (input) => assertComplete(input, assign(input))),
      );
    }
  });

  it("per topic: contiguous ranges whose sizes differ by at most one", () => {
    fc.assert(
      fc.property(groupArb(false), (input) => {
        const out = assign(input);
        for (const [topic, count] of input.topics) {
          const subs = input.members.filter((m) => m.subscribedTopics.has(topic));
          const sizes = subs
            .map((m) => out.get(m.memberId)!.get(topic) ?? [])
            .map((ps) => {
              for (const [k, p] of ps.entries()) assert.equal(p, ps[0]! + k, "contiguous");
              return ps.length;
            });
          if (sizes.length === 0) continue;
          const least = Math.floor(count / sizes.length);
          for (const s of sizes) assert.ok(s === least || s === least + 1, `sizes ${sizes}`);
        }
      }),
    );
  });

  it("co-partitions whenever subscriptions are equal and partition counts too", () => {
    fc.assert(
      fc.property(groupArb(true), fc.integer({ min: 0, max: 12 }), (input, n) => {
        const same = { ...input, topics: new Map([...input.topics.keys()].map((t) => [t, n])) };
        const out = assign(same);
        for (const m of same.members) {
          const sets = [...m.subscribedTopics].map((t) => out.get(m.memberId)!.get(t) ?? []);
          for (const s of sets) assert.deepEqual(s, sets[0]);
        }
      }),
    );
  });

  it("is stable: its own output as current, or another member order, changes nothing", () => {
    fc.assert(
      fc.property(groupArb(false), (input) => {
        const out = plain(assign(input));
        assert.deepEqual(plain(assign(withCurrent(input, assign(input)))), out);
        assert.deepEqual(plain(assign({ ...input, members: [...input.members].reverse() })), out);
      }),
    );
  });

  it("each member gets a share of every topic it subscribes to when partitions suffice", () => {
    fc.assert(
      fc.property(groupArb(true), (input) => {
        const out = assign(input);
        for (const m of input.members) {
          for (const t of m.subscribedTopics) {
            if ((input.topics.get(t) ?? 0) >= input.members.length) {
              assert.ok((out.get(m.memberId)!.get(t) ?? []).length > 0);
            }
          }
        }
      }),
    );
  });
});
