/**
 * Consumer groups with kafkajs 2.2.4 against a real `logbook start` process (each test
 * starts its own broker): partition sharing and rebalances with a check that no
 * generation gives a partition to two members, expulsion of a SIGKILLed member after its
 * session timeout, committed offsets across a broker restart, eachMessage / eachBatch
 * auto-commit, more consumers than partitions, and describe groups / lag through admin.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { AssignerProtocol, type Consumer, type Kafka } from "kafkajs";
import {
  type BrokerProcess,
  REPO_ROOT,
  removeDir,
  startBroker,
  tempDir,
} from "./helpers/broker-process.js";
import {
  AssignmentRecorder,
  createTopic,
  FAST_CONSUMER,
  GROUP_BROKER,
  JsonLinesProcess,
  producePerPartition,
  sleep,
  waitFor,
} from "./helpers/groups.js";

interface Ctx {
  broker: BrokerProcess;
  rec: AssignmentRecorder;
  kafka: Kafka;
  consumers: Map<string, Consumer>;
  /** Starts a member that records every record it sees as "partition:offset". */
  member(name: string, groupId: string, seen?: string[]): Promise<Consumer>;
}

/** Runs `body` against a fresh broker with a recorder on `topic`; cleans everything up. */
async function withGroupBroker(
  topic: string,
  partitions: number,
  body: (ctx: Ctx) => Promise<void>,
): Promise<void> {
  const broker = await startBroker(GROUP_BROKER);
  const rec = new AssignmentRecorder(topic);
  const kafka = rec.kafka(broker.bootstrap);
  const consumers = new Map<string, Consumer>();
  const ctx: Ctx = {
    broker,
    rec,
    kafka,
    consumers,
    async member(name, groupId, seen = []) {
      const c = kafka.consumer({ groupId, ...FAST_CONSUMER });
      rec.attach(name, c);
      consumers.set(name, c);
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
      await c.run({
        eachMessage: async ({ partition, message }) => {
          seen.push(`${partition}:${message.offset}`);
        },
      });
      return c;
    },
  };
  try {
    await createTopic(kafka, topic, partitions);
    await body(ctx);
  } finally {
    await Promise.allSettled([...consumers.values()].map((c) => c.disconnect()));
    if (ctx.broker.isAlive()) assert.equal(await ctx.broker.stop(), 0, ctx.broker.stderr());
    await removeDir(ctx.broker.dataDir);
  }
}

async function describeGroup(kafka: Kafka, groupId: string) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    assert.equal(groups.length, 1);
    return groups[0] as (typeof groups)[number];
  } finally {
    await admin.disconnect();
  }
}

async function committed(kafka: Kafka, groupId: string, topic: string): Promise<number[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const r = await admin.fetchOffsets({ groupId, topics: [topic] });
    const parts = r.find((t) => t.topic === topic)?.partitions ?? [];
    return [...parts].sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
  } finally {
    await admin.disconnect();
  }
}

const sizes = (joins: { partitions: number[] }[]) =>
  joins.map((j) => j.partitions.length).sort((a, b) => a - b);

test("kafkajs: 3 members share 6 partitions, a 4th joins, one leaves; no generation gives a partition to two members", async () => {
  await withGroupBroker("six", 6, async ({ kafka, rec, member, consumers }) => {
    let mark = rec.mark();
    await Promise.all(["a", "b", "c"].map((n) => member(n, "g-six")));
    const three = await rec.waitSettled(["a", "b", "c"], 6, mark, "three members");
    assert.deepEqual(sizes(three), [2, 2, 2]);

    mark = rec.mark();
    await member("d", "g-six");
    const four = await rec.waitSettled(["a", "b", "c", "d"], 6, mark, "a fourth member joins");
    assert.deepEqual(sizes(four), [1, 1, 2, 2]);
    assert.ok(
      (four[0]?.generationId ?? 0) > (three[0]?.generationId ?? 0),
      "a join starts a new generation",
    );

    mark = rec.mark();
    await consumers.get("b")?.disconnect();
    consumers.delete("b");
    const left = await rec.waitSettled(["a", "c", "d"], 6, mark, "member b leaves");
    assert.deepEqual(sizes(left), [2, 2, 2]);
    assert.ok((left[0]?.generationId ?? 0) > (four[0]?.generationId ?? 0));

    rec.assertNoOverlapPerGeneration();
    const g = await describeGroup(kafka, "g-six");
    assert.equal(g.state, "Stable");
    assert.equal(g.members.length, 3);
  });
});

test("kafkajs: a member SIGKILLed without LeaveGroup is expelled after its session timeout and its partitions move", async () => {
  await withGroupBroker("kill", 4, async ({ broker, kafka, rec, member }) => {
    await producePerPartition(kafka, "kill", 4, 10);
    const victim = new JsonLinesProcess("kafkajs member (child)", process.execPath, [
      "--import",
      "tsx",
      join(REPO_ROOT, "integration-tests/helpers/kafkajs-member.ts"),
      broker.bootstrap,
      "kill",
      "g-kill",
    ]);
    try {
      const seen: string[] = [];
      await member("survivor", "g-kill", seen);
      const victimPartitions = () =>
        (victim.events("join").at(-1)?.partitions as number[] | undefined) ?? [];
      await waitFor(
        "survivor and the child to split the 4 partitions 2/2",
        () => {
          if (!victim.alive())
            assert.fail(
              `the child member exited: ${JSON.stringify(victim.lines)}\n${victim.stderr()}`,
            );
          const mine = rec.latest("survivor")?.partitions ?? [];
          const theirs = victimPartitions();
          const all = [...mine, ...theirs].sort();
          return mine.length === 2 && theirs.length === 2 && all.join() === "0,1,2,3";
        },
        45_000,
        () => ({ survivor: rec.joins.slice(-5), child: victim.lines.slice(-5) }),
      );
      const moved = victimPartitions();
      assert.equal((await describeGroup(kafka, "g-kill")).members.length, 2);

      const mark = rec.mark();
      victim.kill("SIGKILL");
      await victim.exited;
      const [after] = await rec.waitSettled(["survivor"], 4, mark, "the killed member expelled");
      assert.deepEqual(after?.partitions, [0, 1, 2, 3]);
      const g = await describeGroup(kafka, "g-kill");
      assert.equal(g.members.length, 1, "only the survivor is left in the group");

      // New records on the moved partitions reach the survivor.
      await producePerPartition(kafka, "kill", 4, 1, "after-kill");
      await waitFor(
        `survivor to read offset 10 of the moved partitions ${moved.join(",")}`,
        () => moved.every((p) => seen.includes(`${p}:10`)),
        30_000,
        () => seen.slice(-20),
      );
      rec.assertNoOverlapPerGeneration();
    } finally {
      victim.kill();
    }
  });
});

test("kafkajs: committed offsets survive a broker restart; the group resumes with no loss and re-reads only the uncommitted tail", async () => {
  const dataDir = await tempDir();
  let broker = await startBroker({ ...GROUP_BROKER, dataDir });
  const consumers: Consumer[] = [];
  try {
    let rec = new AssignmentRecorder("durable-g");
    let kafka = rec.kafka(broker.bootstrap);
    await createTopic(kafka, "durable-g", 3);
    await producePerPartition(kafka, "durable-g", 3, 20);

    // Run 1: read everything, commit only up to offset 12 on each partition.
    const first: string[] = [];
    const c1 = kafka.consumer({ groupId: "g-durable", ...FAST_CONSUMER });
    consumers.push(c1);
    await c1.connect();
    await c1.subscribe({ topic: "durable-g", fromBeginning: true });
    await c1.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        first.push(`${partition}:${message.offset}`);
      },
    });
    await waitFor(
      "run 1 to read 60 records",
      () => first.length >= 60,
      30_000,
      () => first,
    );
    await c1.commitOffsets(
      [0, 1, 2].map((partition) => ({ topic: "durable-g", partition, offset: "12" })),
    );
    assert.deepEqual(await committed(kafka, "g-durable", "durable-g"), [12, 12, 12]);
    await c1.disconnect();
    assert.equal(first.length, 60, "no record read twice in run 1");

    assert.equal(await broker.stop(), 0, broker.stderr());
    broker = await startBroker({ ...GROUP_BROKER, dataDir });
    rec = new AssignmentRecorder("durable-g");
    kafka = rec.kafka(broker.bootstrap);
    assert.deepEqual(
      await committed(kafka, "g-durable", "durable-g"),
      [12, 12, 12],
      "committed offsets after the restart",
    );
    await producePerPartition(kafka, "durable-g", 3, 5, "after-restart");

    // Run 2: resumes at the committed offsets and reads through the new records.
    const second: { partition: number; offset: number }[] = [];
    const c2 = kafka.consumer({ groupId: "g-durable", ...FAST_CONSUMER });
    consumers.push(c2);
    await c2.connect();
    await c2.subscribe({ topic: "durable-g", fromBeginning: true });
    await c2.run({
      eachMessage: async ({ partition, message }) => {
        second.push({ partition, offset: Number(message.offset) });
      },
    });
    await waitFor("run 2 to reach offset 24 on every partition", () =>
      [0, 1, 2].every((p) => second.some((r) => r.partition === p && r.offset === 24)),
    );
    await c2.disconnect();
    for (const p of [0, 1, 2]) {
      const offsets = second.filter((r) => r.partition === p).map((r) => r.offset);
      assert.deepEqual(
        offsets,
        Array.from({ length: 13 }, (_, i) => 12 + i),
        `partition ${p}: run 2 reads exactly 12..24 (the uncommitted tail 12..19, then the new ones)`,
      );
    }
    assert.deepEqual(await committed(kafka, "g-durable", "durable-g"), [25, 25, 25]);
  } finally {
    await Promise.allSettled(consumers.map((c) => c.disconnect()));
    if (broker.isAlive()) assert.equal(await broker.stop(), 0);
    await removeDir(dataDir);
  }
});

test("kafkajs: eachMessage and eachBatch consumers auto-commit what they processed", async () => {
  await withGroupBroker("auto", 2, async ({ kafka, consumers }) => {
    await producePerPartition(kafka, "auto", 2, 30);
    const byMessage: string[] = [];
    const byBatch: string[] = [];
    const m = kafka.consumer({ groupId: "g-each-message", ...FAST_CONSUMER });
    const b = kafka.consumer({ groupId: "g-each-batch", ...FAST_CONSUMER });
    consumers.set("m", m);
    consumers.set("b", b);
    for (const c of [m, b]) {
      await c.connect();
      await c.subscribe({ topic: "auto", fromBeginning: true });
    }
    await m.run({
      autoCommitInterval: 200,
      eachMessage: async ({ partition, message }) => {
        byMessage.push(`${partition}:${message.offset}`);
      },
    });
    await b.run({
      autoCommitInterval: 200,
      eachBatch: async ({ batch, heartbeat }) => {
        for (const message of batch.messages) byBatch.push(`${batch.partition}:${message.offset}`);
        await heartbeat();
      },
    });
    // Committed while both consumers still run: auto-commit, not the commit on disconnect.
    for (const [group, seen] of [
      ["g-each-message", byMessage],
      ["g-each-batch", byBatch],
    ] as const) {
      let last: number[] = [];
      await waitFor(
        `${group} to auto-commit offset 30 on both partitions`,
        async () => {
          last = await committed(kafka, group, "auto");
          return last.join() === "30,30";
        },
        30_000,
        () => ({ committed: last, read: seen.length }),
      );
      assert.equal(new Set(seen).size, 60, `${group} read every record`);
      assert.equal(seen.length, 60, `${group} read no record twice`);
    }
  });
});

test("kafkajs: more consumers than partitions: the extra members get empty assignments and stay in the group", async () => {
  await withGroupBroker("two", 2, async ({ kafka, rec, member, consumers }) => {
    const seen = new Map<string, string[]>();
    let mark = rec.mark();
    await Promise.all(
      ["a", "b", "c", "d"].map((n) => {
        const s: string[] = [];
        seen.set(n, s);
        return member(n, "g-two", s);
      }),
    );
    const joined = await rec.waitSettled(
      ["a", "b", "c", "d"],
      2,
      mark,
      "four members, two partitions",
    );
    assert.deepEqual(sizes(joined), [0, 0, 1, 1]);
    const idle = joined.filter((j) => j.partitions.length === 0).map((j) => j.member);
    const owners = joined.filter((j) => j.partitions.length === 1).map((j) => j.member);

    // Longer than a session timeout: the idle members keep heartbeating, nobody rejoins.
    const joinsBefore = rec.joins.length;
    await sleep(7000);
    assert.equal(rec.joins.length, joinsBefore, "no rebalance while the group is stable");
    const g = await describeGroup(kafka, "g-two");
    assert.equal(g.state, "Stable");
    assert.equal(g.members.length, 4, "members with empty assignments stay in the group");

    await producePerPartition(kafka, "two", 2, 5);
    await waitFor("the two owners to read 10 records", () =>
      owners.every((o) => (seen.get(o)?.length ?? 0) === 5),
    );
    for (const i of idle)
      assert.deepEqual(seen.get(i), [], `${i} has no partition and reads nothing`);

    mark = rec.mark();
    const leaving = owners[0] as string;
    await consumers.get(leaving)?.disconnect();
    consumers.delete(leaving);
    const rest = ["a", "b", "c", "d"].filter((n) => n !== leaving);
    const after = await rec.waitSettled(rest, 2, mark, `owner ${leaving} leaves`);
    assert.deepEqual(sizes(after), [0, 1, 1]);
    rec.assertNoOverlapPerGeneration();
  });
});

test("kafkajs admin: describeGroups, listGroups, fetchOffsets and lag = high watermark - committed, deleteGroups", async () => {
  await withGroupBroker("lag", 3, async ({ kafka, consumers }) => {
    const producer = kafka.producer();
    await producer.connect();
    for (const [partition, n] of [
      [0, 10],
      [1, 20],
      [2, 30],
    ] as const)
      await producer.send({
        topic: "lag",
        acks: -1,
        messages: Array.from({ length: n }, (_, i) => ({ partition, value: `lag-${i}` })),
      });
    await producer.disconnect();

    const seen: string[] = [];
    const c = kafka.consumer({ groupId: "g-lag", ...FAST_CONSUMER });
    consumers.set("c", c);
    await c.connect();
    await c.subscribe({ topic: "lag", fromBeginning: true });
    await c.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        seen.push(`${partition}:${message.offset}`);
      },
    });
    await waitFor("the consumer to read 60 records", () => seen.length >= 60);
    await c.commitOffsets([
      { topic: "lag", partition: 0, offset: "4" },
      { topic: "lag", partition: 1, offset: "20" },
      { topic: "lag", partition: 2, offset: "0" },
    ]);

    const g = await describeGroup(kafka, "g-lag");
    assert.equal(g.groupId, "g-lag");
    assert.equal(g.state, "Stable");
    assert.equal(g.protocolType, "consumer");
    assert.equal(g.protocol, "RoundRobinAssigner");
    assert.equal(g.members.length, 1);
    const m = g.members[0];
    assert.equal(m?.clientId, "logbook-groups-it");
    const assignment = AssignerProtocol.MemberAssignment.decode(m?.memberAssignment as Buffer);
    assert.deepEqual(
      [...(assignment?.assignment.lag ?? [])].sort(),
      [0, 1, 2],
      "member assignment as synced",
    );

    const admin = kafka.admin();
    await admin.connect();
    try {
      const listed = await admin.listGroups();
      assert.ok(
        listed.groups.some((x) => x.groupId === "g-lag" && x.protocolType === "consumer"),
        JSON.stringify(listed),
      );
      const offsets = await admin.fetchOffsets({ groupId: "g-lag", topics: ["lag"] });
      const high = await admin.fetchTopicOffsets("lag");
      const lag = [0, 1, 2].map((p) => {
        const h = Number(high.find((x) => x.partition === p)?.high);
        const co = Number(offsets[0]?.partitions.find((x) => x.partition === p)?.offset);
        return { p, high: h, committed: co, lag: h - co };
      });
      assert.deepEqual(lag, [
        { p: 0, high: 10, committed: 4, lag: 6 },
        { p: 1, high: 20, committed: 20, lag: 0 },
        { p: 2, high: 30, committed: 0, lag: 30 },
      ]);

      await c.disconnect();
      consumers.delete("c");
      const empty = await describeGroup(kafka, "g-lag");
      assert.equal(empty.state, "Empty");
      assert.deepEqual(empty.members, []);
      assert.deepEqual(
        await committed(kafka, "g-lag", "lag"),
        [4, 20, 0],
        "an empty group keeps its offsets",
      );

      await admin.deleteGroups(["g-lag"]);
      assert.ok(!(await admin.listGroups()).groups.some((x) => x.groupId === "g-lag"));
      assert.deepEqual(
        await committed(kafka, "g-lag", "lag"),
        [-1, -1, -1],
        "a deleted group has no offsets",
      );
    } finally {
      await admin.disconnect();
    }
  });
});
