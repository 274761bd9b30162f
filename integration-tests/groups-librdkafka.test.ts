/**
 * Consumer groups with librdkafka 2.0.2 (Debian's python3-confluent-kafka, run under
 * /usr/bin/python3 by integration-tests/python/confluent_member.py) against a real
 * `logbook start`: partition sharing with commits, the cooperative-sticky (incremental)
 * rebalance flow, and static membership (group.instance.id) surviving a restart within
 * the session timeout without a rebalance. .ci/run installs the Python packages; a
 * missing module fails the test.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { removeDir, startBroker } from "./helpers/broker-process.js";
import {
  AssignmentRecorder,
  createTopic,
  GROUP_BROKER,
  JsonLinesProcess,
  producePerPartition,
  requirePythonModule,
  sleep,
  waitFor,
} from "./helpers/groups.js";
import {
  closeAll,
  committed,
  describeGroup,
  holding,
  read,
  waitSplit,
  withBroker,
} from "./helpers/librdkafka-group.js";

before(() => requirePythonModule("confluent_kafka"));

test("librdkafka: two consumers share 4 partitions, read each record once and commit", async () => {
  await withBroker("rk", 4, async (broker, kafka, procs) => {
    const a = JsonLinesProcess.python("librdkafka A", "confluent_member.py", [
      broker.bootstrap,
      "rk",
      "g-rk",
    ]);
    const b = JsonLinesProcess.python("librdkafka B", "confluent_member.py", [
      broker.bootstrap,
      "rk",
      "g-rk",
    ]);
    procs.push(a, b);
    const [ha, hb] = await waitSplit([a, b], 4, "two range members");
    assert.deepEqual([ha?.length, hb?.length], [2, 2]);
    const g = await describeGroup(kafka, "g-rk");
    assert.equal(g?.state, "Stable");
    assert.equal(g?.protocolType, "consumer");
    assert.equal(g?.protocol, "range");
    assert.equal(g?.members.length, 2);

    await producePerPartition(kafka, "rk", 4, 10);
    await waitFor(
      "40 records read",
      () => read([a, b]).length >= 40,
      30_000,
      () => read([a, b]).length,
    );
    const seen = read([a, b]);
    assert.equal(new Set(seen.map((s) => s.key)).size, 40);
    assert.equal(seen.length, 40, "no record read twice");
    for (const s of seen) {
      const owner = ha?.includes(Number(s.key.split(":")[0])) ? a.name : b.name;
      assert.equal(s.who, owner, `${s.key} read by the partition's owner`);
    }
    let last: number[] = [];
    await waitFor(
      "commits of offset 10 on all partitions",
      async () => {
        last = await committed(kafka, "g-rk", "rk");
        return last.join() === "10,10,10,10";
      },
      20_000,
      () => last,
    );
    assert.deepEqual(a.events("commit_error").concat(b.events("commit_error")), []);
    await closeAll([a, b]);
    assert.equal((await describeGroup(kafka, "g-rk"))?.state, "Empty");
  });
});

test("librdkafka: cooperative-sticky moves only the partitions that change owner when a member joins and leaves", async () => {
  await withBroker("coop", 4, async (broker, kafka, procs) => {
    const args = ["coop", "g-coop", "--strategy", "cooperative-sticky"];
    const a = JsonLinesProcess.python("coop A", "confluent_member.py", [broker.bootstrap, ...args]);
    procs.push(a);
    await waitFor(
      "A to hold all 4 partitions",
      () => holding(a).join() === "0,1,2,3",
      45_000,
      () => a.lines.slice(-8),
    );
    await producePerPartition(kafka, "coop", 4, 5);
    await waitFor("A to read 20 records", () => read([a]).length >= 20);

    const beforeJoin = a.lines.length;
    const b = JsonLinesProcess.python("coop B", "confluent_member.py", [broker.bootstrap, ...args]);
    procs.push(b);
    const [ha, hb] = await waitSplit([a, b], 4, "B joins");
    assert.deepEqual([ha?.length, hb?.length], [2, 2]);
    const aDuringJoin = a.lines.slice(beforeJoin);
    const revoked = aDuringJoin
      .filter((l) => l.event === "revoke")
      .flatMap((l) => l.partitions as number[]);
    assert.deepEqual(
      [...revoked].sort(),
      hb,
      `A gives up exactly the partitions B takes, and keeps the others: ${JSON.stringify(aDuringJoin)}`,
    );
    assert.deepEqual(
      aDuringJoin.filter((l) => l.event === "lost"),
      [],
    );
    const g = await describeGroup(kafka, "g-coop");
    assert.equal(g?.protocol, "cooperative-sticky");
    assert.equal(g?.members.length, 2);

    const beforeLeave = a.lines.length;
    b.send("close");
    assert.equal(await b.done(30_000), 0, b.stderr());
    await waitFor(
      "A to hold all 4 partitions again",
      () => holding(a).join() === "0,1,2,3",
      45_000,
      () => a.lines.slice(-8),
    );
    const aDuringLeave = a.lines.slice(beforeLeave);
    assert.deepEqual(
      aDuringLeave.filter((l) => l.event === "revoke" || l.event === "lost"),
      [],
      "A keeps its partitions while B's are added",
    );
    assert.deepEqual(
      aDuringLeave
        .filter((l) => l.event === "assign")
        .flatMap((l) => l.partitions as number[])
        .sort(),
      hb,
      "A is incrementally assigned B's partitions",
    );

    await producePerPartition(kafka, "coop", 4, 5, "later");
    await waitFor(
      "40 records read in all",
      () => read([a, b]).length >= 40,
      30_000,
      () => read([a, b]).length,
    );
    const keys = read([a, b]).map((s) => s.key);
    assert.equal(new Set(keys).size, 40);
    assert.equal(keys.length, 40, "no record read twice across the rebalances");
    await closeAll([a]);
  });
});

test("librdkafka: a static member (group.instance.id) restarts within its session timeout without a rebalance and resumes its partitions", async () => {
  await withBroker("static", 4, async (broker, kafka, procs) => {
    const member = (name: string, instance: string) =>
      JsonLinesProcess.python(name, "confluent_member.py", [
        broker.bootstrap,
        "static",
        "g-static",
        "--instance-id",
        instance,
        "--session-ms",
        "15000",
      ]);
    const a = member("static A", "inst-a");
    const b = member("static B", "inst-b");
    procs.push(a, b);
    const [ha, hb] = await waitSplit([a, b], 4, "two static members");
    await producePerPartition(kafka, "static", 4, 5);
    await waitFor(
      "20 records read",
      () => read([a, b]).length >= 20,
      30_000,
      () => read([a, b]).length,
    );
    await waitFor(
      "commits of offset 5",
      async () => (await committed(kafka, "g-static", "static")).join() === "5,5,5,5",
    );

    // B dies without leaving (no LeaveGroup, no close) and comes back as the same instance.
    const aEventsBefore = a.lines.filter((l) => l.event !== "message").length;
    b.send("crash");
    await b.done(30_000);
    await producePerPartition(kafka, "static", 4, 5, "while-b-down");
    const b2 = member("static B (restarted)", "inst-b");
    procs.push(b2);
    await waitFor(
      "restarted B to get its partitions back",
      () => holding(b2).length > 0,
      45_000,
      () => b2.lines.slice(-8),
    );
    assert.deepEqual(holding(b2), hb, "the restarted instance gets the same partitions");
    await waitFor(
      "40 records read in all",
      () => read([a, b, b2]).length >= 40,
      30_000,
      () => read([a, b, b2]).length,
    );

    // Heartbeats every 500 ms: a rebalance would have reached A by now; give it a few more.
    await sleep(3000);
    const aCallbacks = a.lines.filter(
      (l) => l.event === "assign" || l.event === "revoke" || l.event === "lost",
    );
    assert.equal(
      a.lines.filter((l) => l.event !== "message").length,
      aEventsBefore,
      `A saw no rebalance: ${JSON.stringify(aCallbacks)}`,
    );
    assert.deepEqual(holding(a), ha);
    const b2Read = b2.events("message");
    for (const p of hb ?? []) {
      const offsets = b2Read.filter((m) => m.partition === p).map((m) => m.offset);
      assert.deepEqual(
        offsets,
        [5, 6, 7, 8, 9],
        `restarted B resumes partition ${p} at its committed offset`,
      );
    }
    const keys = read([a, b, b2]).map((s) => s.key);
    assert.equal(new Set(keys).size, 40);
    assert.equal(keys.length, 40, "no record read twice");
    const g = await describeGroup(kafka, "g-static");
    assert.equal(g?.state, "Stable");
    assert.equal(g?.members.length, 2);
    await closeAll([a, b2]);
  });
});

test("librdkafka: the group survives a broker restart in the middle of its life: no committed offset lost, only the uncommitted tail read twice", async () => {
  let broker = await startBroker(GROUP_BROKER);
  const { dataDir, port } = broker;
  const kafka = new AssignmentRecorder("mid").kafka(broker.bootstrap);
  const procs: JsonLinesProcess[] = [];
  try {
    await createTopic(kafka, "mid", 4);
    const member = (name: string) =>
      JsonLinesProcess.python(name, "confluent_member.py", [broker.bootstrap, "mid", "g-mid"]);
    const a = member("mid A");
    const b = member("mid B");
    procs.push(a, b);
    await waitSplit([a, b], 4, "two members");
    await producePerPartition(kafka, "mid", 4, 5);
    await waitFor(
      "20 records read",
      () => read([a, b]).length >= 20,
      30_000,
      () => read([a, b]).length,
    );
    await waitFor(
      "commits of offset 5",
      async () => (await committed(kafka, "g-mid", "mid")).join() === "5,5,5,5",
    );

    // Restart on the same port and data directory while both members keep running.
    const callbacks = (p: JsonLinesProcess) =>
      p.lines.filter((l) => l.event === "assign" || l.event === "revoke" || l.event === "lost");
    const callbacksBefore = [callbacks(a).length, callbacks(b).length];
    assert.equal(await broker.stop(), 0, broker.stderr());
    broker = await startBroker({ ...GROUP_BROKER, dataDir, port });
    assert.deepEqual(
      await committed(kafka, "g-mid", "mid"),
      [5, 5, 5, 5],
      "committed offsets after the restart",
    );
    await producePerPartition(kafka, "mid", 4, 5, "after-restart");
    await waitFor(
      "the members to read the 20 new records",
      () => read([a, b]).length >= 40,
      60_000,
      () => ({
        read: read([a, b]).length,
        a: a.lines.slice(-6),
        b: b.lines.slice(-6),
      }),
    );
    // The coordinator restored the members: they heartbeat on and nobody rebalances.
    assert.deepEqual(
      [callbacks(a).length, callbacks(b).length],
      callbacksBefore,
      `no rebalance across the restart: ${JSON.stringify([callbacks(a), callbacks(b)])}`,
    );
    const keys = read([a, b]).map((s) => s.key);
    assert.equal(new Set(keys).size, 40, "every record read");
    // At-least-once: a record is read twice only if its commit failed (the uncommitted
    // tail, e.g. a commit refused while the members rejoin after the restart).
    const uncommitted = new Set(
      [a, b].flatMap((p) => p.events("commit_error").map((e) => `${e.partition}:${e.offset}`)),
    );
    const twice = keys.filter((k, i) => keys.indexOf(k) !== i);
    assert.deepEqual(
      twice.filter((k) => !uncommitted.has(k)),
      [],
      `records read twice although their commit succeeded: ${JSON.stringify({
        twice,
        a: a.lines.filter((l) => l.event !== "message" && l.event !== "error"),
        b: b.lines.filter((l) => l.event !== "message" && l.event !== "error"),
      })}`,
    );
    await waitFor(
      "commits of offset 10",
      async () => (await committed(kafka, "g-mid", "mid")).join() === "10,10,10,10",
    );
    await closeAll([a, b]);
  } finally {
    for (const p of procs) p.kill();
    if (broker.isAlive()) assert.equal(await broker.stop(), 0, broker.stderr());
    await removeDir(dataDir);
  }
});
