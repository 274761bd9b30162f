import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AssignedTopic } from "../src/share/share-group.js";
import { assignShareGroup, type ShareTopic } from "../src/share/simple-assignor.js";

const id = (n: number): Buffer => Buffer.alloc(16, n);
const topics = (spec: Record<string, number>): Map<string, ShareTopic> =>
  new Map(
    Object.entries(spec).map(([name, partitions], i) => [name, { topicId: id(i + 1), partitions }]),
  );

/** member -> "topic-partition" strings, for readable assertions. */
function flat(a: Map<string, AssignedTopic[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [m, ts] of a) out[m] = ts.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`));
  return out;
}

function holders(a: Map<string, AssignedTopic[]>): Map<string, number> {
  const out = new Map<string, number>();
  for (const slots of Object.values(flat(a)))
    for (const s of slots) out.set(s, (out.get(s) ?? 0) + 1);
  return out;
}

describe("share-group assignor", () => {
  it("spreads partitions evenly when there are at least as many partitions as members", () => {
    const a = assignShareGroup({
      members: new Map([
        ["a", ["t"]],
        ["b", ["t"]],
      ]),
      topics: topics({ t: 5 }),
      previous: new Map(),
    });
    const f = flat(a);
    assert.equal((f.a?.length ?? 0) + (f.b?.length ?? 0), 5, "every partition once");
    assert.ok(Math.abs((f.a?.length ?? 0) - (f.b?.length ?? 0)) <= 1, "balanced");
    assert.ok(
      [...holders(a).values()].every((n) => n === 1),
      "nobody shares",
    );
  });

  it("shares each partition among several members when members outnumber partitions", () => {
    const members = new Map(["a", "b", "c", "d", "e"].map((m) => [m, ["t"]] as const));
    const a = assignShareGroup({ members, topics: topics({ t: 2 }), previous: new Map() });
    const f = flat(a);
    for (const m of members.keys()) assert.ok((f[m]?.length ?? 0) >= 1, `${m} gets a partition`);
    // ceil(5 / 2) = 3 members per partition.
    assert.deepEqual([...holders(a).values()], [3, 3]);
  });

  it("balances each topic over its own subscribers when subscriptions differ", () => {
    const a = assignShareGroup({
      members: new Map([
        ["a", ["t", "u"]],
        ["b", ["t"]],
      ]),
      topics: topics({ t: 2, u: 1 }),
      previous: new Map(),
    });
    const f = flat(a);
    assert.deepEqual(
      f.a?.filter((s) => s.startsWith("u")),
      ["u-0"],
    );
    assert.equal(f.b?.includes("u-0"), false, "b does not subscribe to u");
    assert.equal(holders(a).get("t-0"), 1);
    assert.equal(holders(a).get("t-1"), 1);
  });

  it("leaves out topics that do not exist and members with nothing to take", () => {
    const a = assignShareGroup({
      members: new Map([["a", ["missing"]]]),
      topics: new Map(),
      previous: new Map(),
    });
    assert.deepEqual(flat(a), { a: [] });
  });

  it("keeps what members hold when a member joins (sticky)", () => {
    const t = topics({ t: 4 });
    const first = assignShareGroup({
      members: new Map([
        ["a", ["t"]],
        ["b", ["t"]],
      ]),
      topics: t,
      previous: new Map(),
    });
    const second = assignShareGroup({
      members: new Map([
        ["a", ["t"]],
        ["b", ["t"]],
        ["c", ["t"]],
      ]),
      topics: t,
      previous: first,
    });
    const before = flat(first);
    const after = flat(second);
    for (const m of ["a", "b"]) {
      for (const s of after[m] ?? []) assert.ok(before[m]?.includes(s), `${m} kept ${s}`);
    }
    assert.ok((after.c?.length ?? 0) >= 1, "the newcomer gets a partition");
    assert.ok([...holders(second).values()].every((n) => n === 1));
  });
});
