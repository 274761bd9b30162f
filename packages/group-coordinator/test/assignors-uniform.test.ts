import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { AssignmentInput, TargetAssignment } from "../src/assignors/assignor.js";
import { uniformAssignor } from "../src/assignors/uniform.js";
import {
  assertComplete,
  groupArb,
  member,
  owners,
  partitionCount,
  plain,
  topicCounts,
  withCurrent,
} from "./assignor-helpers.js";

const assign = (input: AssignmentInput): TargetAssignment => uniformAssignor.assign(input);

/** No owner holds more than one partition over any other subscriber of that topic. */
function assertBalanced(input: AssignmentInput, target: TargetAssignment): void {
  for (const [key, owner] of owners(target)) {
    const topic = key.slice(0, key.indexOf("/"));
    for (const other of input.members) {
      if (!other.subscribedTopics.has(topic)) continue;
      assert.ok(
        partitionCount(target, owner) <= partitionCount(target, other.memberId) + 1,
        `${owner} holds ${key} but has 2+ more than ${other.memberId}`,
      );
    }
  }
}

describe("uniform assignor", () => {
  it("is named uniform", () => {
    assert.equal(uniformAssignor.name, "uniform");
  });

  it("spreads 11 partitions over 3 members as 4, 4, 3", () => {
    const input = {
      members: [member("a", ["t"]), member("b", ["t"]), member("c", ["t"])],
      topics: topicCounts({ t: 11 }),
    };
    const out = assign(input);
    assertComplete(input, out);
    assert.deepEqual(
      ["a", "b", "c"].map((m) => partitionCount(out, m)),
      [4, 4, 3],
    );
  });

  it("a joining member takes only the excess; the others keep the rest", () => {
    const input = {
      members: [member("a", ["t"], { t: [0, 1, 2, 3, 4, 5] }), member("b", ["t"])],
      topics: topicCounts({ t: 6 }),
    };
    assert.deepEqual(plain(assign(input)), { a: { t: [0, 1, 2] }, b: { t: [3, 4, 5] } });
  });

  it("the extra partition stays with the member that already holds it", () => {
    // 7 partitions over 2 members: z holds 4, so z (not a, first by id) keeps 4.
    const input = {
      members: [member("a", ["t"], { t: [0, 1, 2] }), member("z", ["t"], { t: [3, 4, 5, 6] })],
      topics: topicCounts({ t: 7 }),
    };
    assert.deepEqual(plain(assign(input)), { a: { t: [0, 1, 2] }, z: { t: [3, 4, 5, 6] } });
  });

  it("drops partitions of unsubscribed topics, vanished partitions and double claims", () => {
    const input = {
      members: [member("a", ["t"], { t: [0, 9], old: [0] }), member("b", ["t"], { t: [0, 1] })],
      topics: topicCounts({ t: 4, old: 1 }),
    };
    assert.deepEqual(plain(assign(input)), { a: { t: [0, 2] }, b: { t: [1, 3] } });
  });

  it("heterogeneous: a topic only one member wants goes to it, the shared one balances", () => {
    const input = {
      members: [member("a", ["t1"]), member("b", ["t1", "t2"])],
      topics: topicCounts({ t1: 3, t2: 3 }),
    };
    assert.deepEqual(plain(assign(input)), { a: { t1: [0, 1, 2] }, b: { t2: [0, 1, 2] } });
  });

  it("heterogeneous: moves from an overloaded owner only as far as balance needs", () => {
    // b holds all of t1 and t2; a (t1 only) joins: a gets 2 of t1, b keeps the rest.
    const input = {
      members: [member("a", ["t1"]), member("b", ["t1", "t2"], { t1: [0, 1, 2, 3], t2: [0, 1] })],
      topics: topicCounts({ t1: 4, t2: 2 }),
    };
    const out = assign(input);
    assertComplete(input, out);
    assert.equal(partitionCount(out, "a"), 3);
    assert.equal(partitionCount(out, "b"), 3);
    assert.deepEqual(out.get("b")!.get("t2"), [0, 1]);
  });

  it("heterogeneous: rebalancing moves newly handed-out partitions before held ones", () => {
    // c can only take t0/0, so b loses it; then a and b split t1 and a keeps t1/0 (one
    // move in all, where moving held partitions first would also take t1/0 from a).
    const input = {
      members: [
        member("a", ["t1"], { t1: [0] }),
        member("b", ["t0", "t1"], { t0: [0] }),
        member("c", ["t0"]),
      ],
      topics: topicCounts({ t0: 1, t1: 4 }),
    };
    assert.deepEqual(plain(assign(input)), {
      a: { t1: [0, 3] },
      b: { t1: [1, 2] },
      c: { t0: [0] },
    });
  });

  it("members subscribed to nothing, or to a topic without metadata, get an empty entry", () => {
    const input = {
      members: [member("a", []), member("b", ["missing"]), member("c", ["t"])],
      topics: topicCounts({ t: 2 }),
    };
    assert.deepEqual(plain(assign(input)), { a: {}, b: {}, c: { t: [0, 1] } });
    assert.deepEqual(plain(assign({ members: [], topics: new Map() })), {});
  });

  for (const homogeneous of [true, false]) {
    const kind = homogeneous ? "homogeneous" : "heterogeneous";

    it(`${kind}: assigns every subscribed partition exactly once, only to subscribers`, () => {
      fc.assert(
        fc.property(groupArb(homogeneous), (input) => assertComplete(input, assign(input))),
      );
    });

    it(`${kind}: balanced (counts differ by at most one among members that could swap)`, () => {
      fc.assert(
        fc.property(groupArb(homogeneous), (input) => {
          const out = assign(input);
          assertBalanced(input, out);
          // Hence members with the same subscription differ by at most one.
          const bySubscription = new Map<string, number[]>();
          for (const m of input.members) {
            const key = [...m.subscribedTopics].sort().join(",");
            bySubscription.set(key, [
              ...(bySubscription.get(key) ?? []),
              partitionCount(out, m.memberId),
            ]);
          }
          for (const cs of bySubscription.values()) {
            assert.ok(Math.max(...cs) - Math.min(...cs) <= 1, `counts ${cs}`);
          }
        }),
      );
    });

    it(`${kind}: sticky (re-running with its own output as current changes nothing)`, () => {
      fc.assert(
        fc.property(groupArb(homogeneous), (input) => {
          const out = assign(input);
          assert.deepEqual(plain(assign(withCurrent(input, out))), plain(out));
        }),
      );
    });

    it(`${kind}: deterministic whatever the order of the members`, () => {
      fc.assert(
        fc.property(groupArb(homogeneous), (input) => {
          const reversed = { ...input, members: [...input.members].reverse() };
          assert.deepEqual(plain(assign(reversed)), plain(assign(input)));
        }),
      );
    });
  }

  it("homogeneous: a member joining a balanced group moves only the minimum", () => {
    fc.assert(
      fc.property(groupArb(true), (input) => {
        const before = assign(input);
        const topics = [...(input.members[0]?.subscribedTopics ?? [])];
        const joined = withCurrent(input, before);
        const grown = { ...joined, members: [...joined.members, member("new", topics)] };
        const after = assign(grown);
        assertComplete(grown, after);
        let total = 0;
        for (const t of topics) total += input.topics.get(t) ?? 0;
        const fair = Math.floor(total / grown.members.length);
        assert.equal(partitionCount(after, "new"), fair);
        const was = owners(before);
        let moved = 0;
        for (const [key, owner] of owners(after)) if (was.get(key) !== owner) moved++;
        assert.equal(moved, fair, "only the newcomer's share moves");
      }),
    );
  });

  it("assigns 10,000 partitions over 100 members quickly, in both modes", () => {
    const counts: Record<string, number> = {};
    for (let t = 0; t < 100; t++) counts[`topic-${t}`] = 100;
    const all = Object.keys(counts);
    const members = Array.from({ length: 100 }, (_, i) =>
      member(`m${i}`, i % 2 === 0 ? all : all.slice(0, 50)),
    );
    for (const input of [
      {
        members: members.map((m) => ({ ...m, subscribedTopics: new Set(all) })),
        topics: topicCounts(counts),
      },
      { members, topics: topicCounts(counts) },
    ]) {
      const start = performance.now();
      const out = assign(input);
      const again = assign(withCurrent(input, out));
      assert.ok(performance.now() - start < 2000, "well under the rebalance budget");
      assertComplete(input, out);
      assert.deepEqual(plain(again), plain(out));
    }
  });
});
