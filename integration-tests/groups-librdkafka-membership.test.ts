/**
 * Group membership with librdkafka 2.0.2 consumers (python3-confluent-kafka, run by
 * integration-tests/python/confluent_member.py), the scenarios groups-kafkajs.test.ts
 * runs with kafkajs: a member killed without leaving is expelled after its session
 * timeout, more consumers than partitions, and a 4th member joining a 3-member group
 * with no partition ever owned by two members at once.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import {
  JsonLinesProcess,
  producePerPartition,
  requirePythonModule,
  sleep,
  waitFor,
} from "./helpers/groups.js";
import {
  closeAll,
  describeGroup,
  holding,
  read,
  waitSplit,
  withBroker,
} from "./helpers/librdkafka-group.js";

before(() => requirePythonModule("confluent_kafka"));

const SESSION_MS = 6000;

function member(bootstrap: string, topic: string, group: string, name: string) {
  return JsonLinesProcess.python(name, "confluent_member.py", [
    bootstrap,
    topic,
    group,
    "--session-ms",
    String(SESSION_MS),
  ]);
}

/** Ownership intervals of each partition, from the members' timestamped callbacks. */
function ownership(members: JsonLinesProcess[]) {
  const spans: { partition: number; who: string; from: number; to: number }[] = [];
  for (const m of members) {
    const since = new Map<number, number>();
    for (const l of m.lines) {
      const parts = (l.partitions as number[] | undefined) ?? [];
      const t = l.t as number;
      if (l.event === "assign") for (const p of parts) since.set(p, t);
      if (l.event === "revoke" || l.event === "lost") {
        for (const p of parts) {
          spans.push({ partition: p, who: m.name, from: since.get(p) ?? t, to: t });
          since.delete(p);
        }
      }
    }
    for (const [p, from] of since) spans.push({ partition: p, who: m.name, from, to: Infinity });
  }
  return spans;
}

/** Two members holding one partition at the same moment (eager protocol: never). */
function overlaps(members: JsonLinesProcess[]) {
  const spans = ownership(members);
  const bad: string[] = [];
  for (const x of spans) {
    for (const y of spans) {
      if (x === y || x.partition !== y.partition || x.who >= y.who) continue;
      if (x.from < y.to && y.from < x.to) {
        bad.push(
          `partition ${x.partition}: ${x.who} [${x.from}, ${x.to}) / ${y.who} [${y.from}, ${y.to})`,
        );
      }
    }
  }
  return bad;
}

test("librdkafka: a member killed without leaving is expelled after its session timeout and its partitions move", async () => {
  await withBroker("kill", 4, async (broker, kafka, procs) => {
    const a = member(broker.bootstrap, "kill", "g-kill", "kill A");
    const b = member(broker.bootstrap, "kill", "g-kill", "kill B");
    procs.push(a, b);
    const [, hb] = await waitSplit([a, b], 4, "two members");
    await producePerPartition(kafka, "kill", 4, 3);
    await waitFor("12 records read", () => read([a, b]).length >= 12, 30_000);

    // No LeaveGroup, no final commit: only the session timeout can tell the coordinator.
    const killedAt = Date.now();
    b.send("crash");
    await b.done(30_000);
    await waitFor(
      "A to take over all 4 partitions",
      () => holding(a).join() === "0,1,2,3",
      45_000,
      () => a.lines.slice(-8),
    );
    const movedAfter = Date.now() - killedAt;
    assert.ok(
      movedAfter >= SESSION_MS - 1000,
      `the partitions moved only after the session timeout (${movedAfter} ms)`,
    );
    const g = await describeGroup(kafka, "g-kill");
    assert.equal(g?.state, "Stable");
    assert.equal(g?.members.length, 1, "only A is left in the group");

    const before = read([a]).length;
    await producePerPartition(kafka, "kill", 4, 3, "after-kill");
    await waitFor(
      "A to read the new records of B's former partitions too",
      () => read([a]).length >= before + 12,
      30_000,
      () => read([a]).length,
    );
    const fromB = read([a]).filter((r) => hb?.includes(Number(r.key.split(":")[0])));
    assert.ok(fromB.length >= 6, "A reads the partitions B held");
    await closeAll([a]);
  });
});

test("librdkafka: more consumers than partitions: the extra member gets nothing and stays in the group", async () => {
  await withBroker("few", 2, async (broker, kafka, procs) => {
    const ms = ["few A", "few B", "few C"].map((n) => member(broker.bootstrap, "few", "g-few", n));
    procs.push(...ms);
    await waitFor(
      "three members to be Stable with both partitions assigned",
      async () => {
        const g = await describeGroup(kafka, "g-few");
        const held = ms.map(holding);
        return (
          g?.state === "Stable" &&
          g.members.length === 3 &&
          held.flat().sort().join() === "0,1" &&
          held.filter((h) => h.length === 0).length === 1
        );
      },
      45_000,
      () => ms.map((m) => ({ name: m.name, holding: holding(m), lines: m.lines.slice(-4) })),
    );
    // The idle member heartbeats: after a few session timeouts the group is unchanged.
    const callbacks = () =>
      ms.map((m) => m.lines.filter((l) => l.event !== "message" && l.event !== "error").length);
    const settled = callbacks();
    await sleep(SESSION_MS * 1.5);
    assert.deepEqual(callbacks(), settled, "no rebalance while the extra member idles");
    const g = await describeGroup(kafka, "g-few");
    assert.equal(g?.state, "Stable");
    assert.equal(g?.members.length, 3);

    await producePerPartition(kafka, "few", 2, 5);
    await waitFor(
      "10 records read",
      () => read(ms).length >= 10,
      30_000,
      () => read(ms).length,
    );
    const keys = read(ms).map((r) => r.key);
    assert.equal(new Set(keys).size, 10);
    assert.equal(keys.length, 10, "no record read twice");
    for (const r of read(ms)) {
      const owner = ms.find((m) => holding(m).includes(Number(r.key.split(":")[0])));
      assert.equal(r.who, owner?.name, `${r.key} read by its partition's owner`);
    }
    await closeAll(ms);
  });
});

test("librdkafka: a 4th member joins a 3-member group over 6 partitions; no partition is ever owned by two members", async () => {
  await withBroker("four", 6, async (broker, kafka, procs) => {
    const first = ["four A", "four B", "four C"].map((n) =>
      member(broker.bootstrap, "four", "g-four", n),
    );
    procs.push(...first);
    const held3 = await waitSplit(first, 6, "three members");
    assert.deepEqual(
      held3.map((h) => h.length),
      [2, 2, 2],
    );
    await producePerPartition(kafka, "four", 6, 3);
    await waitFor("18 records read", () => read(first).length >= 18, 30_000);

    const d = member(broker.bootstrap, "four", "g-four", "four D");
    procs.push(d);
    const all = [...first, d];
    const held4 = await waitSplit(all, 6, "D joins");
    assert.deepEqual(held4.map((h) => h.length).sort(), [1, 1, 2, 2]);
    const g = await describeGroup(kafka, "g-four");
    assert.equal(g?.state, "Stable");
    assert.equal(g?.members.length, 4);
    // Eager protocol: the first generation's 6 spans ended, the second's 6 are open.
    assert.ok(ownership(all).length >= 12, JSON.stringify(ownership(all)));
    assert.deepEqual(overlaps(all), [], "each partition has one owner at every moment");

    await producePerPartition(kafka, "four", 6, 3, "after-join");
    await waitFor(
      "36 records read",
      () => read(all).length >= 36,
      30_000,
      () => read(all).length,
    );
    const uncommitted = new Set(
      all.flatMap((p) => p.events("commit_error").map((e) => `${e.partition}:${e.offset}`)),
    );
    const keys = read(all).map((r) => r.key);
    assert.equal(new Set(keys).size, 36, "every record read");
    assert.deepEqual(
      keys.filter((k, i) => keys.indexOf(k) !== i && !uncommitted.has(k)),
      [],
      "a record is read twice only if its commit failed",
    );
    await closeAll(all);
    assert.deepEqual(overlaps(all), [], "still one owner per partition after the members left");
  });
});
