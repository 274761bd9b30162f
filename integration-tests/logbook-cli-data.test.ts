/**
 * `logbook produce`, `logbook consume` and `logbook group` against Logbook and against the
 * reference Kafka: the same records back with the same partitions and offsets, keys placed
 * as Kafka's own clients place them, aborted transactions left out under read_committed,
 * and group lag computed from offsets (end offset - committed offset).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { type Brokers, type Side, startBrokers } from "./helpers/kafka-cli.js";
import { cliOn, SIDES } from "./helpers/logbook-cli.js";
import type { ProcessResult } from "./helpers/run-process.js";

let b: Brokers;
before(async () => {
  b = await startBrokers();
});
after(async () => {
  await b?.stop();
});

function cli(side: Side, args: string[], input?: string): Promise<ProcessResult> {
  return cliOn(b, side, args, input === undefined ? {} : { input });
}

async function ok(side: Side, args: string[], input?: string): Promise<string> {
  const r = await cli(side, args, input);
  assert.equal(r.code, 0, `${side}: logbook ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** Runs on both; the outputs must be equal (sorted lines: partitions arrive in any order). */
async function same(args: string[], input?: string): Promise<string[]> {
  const [l, k] = await Promise.all(SIDES.map((s) => ok(s, args, input)));
  const lines = (s: string | undefined) =>
    (s ?? "")
      .split("\n")
      .filter((x) => x !== "")
      .sort();
  assert.deepEqual(lines(l), lines(k), `Logbook and Kafka differ for logbook ${args.join(" ")}`);
  return lines(k);
}

const kafkajs = (side: Side) =>
  new Kafka({ brokers: [b[side].bootstrap], logLevel: logLevel.NOTHING, clientId: "cli-data" });

test("produce then consume: keys, values, headers, partitions and offsets agree with Kafka, every codec", async () => {
  await same(["topic", "create", "cli-data", "-p", "3"]);
  const input = Array.from({ length: 12 }, (_, i) => `user-${i % 5}:event-${i}`).join("\n");
  for (const codec of ["none", "gzip", "snappy", "lz4", "zstd"]) {
    await same(
      ["produce", "cli-data", "-K", ":", "-z", codec, "-H", `codec=${codec}`, "-q"],
      input,
    );
  }
  const lines = await same(["consume", "cli-data", "-f", "%p %o %k %v %h\\n"]);
  assert.equal(lines.length, 60);
  for (const codec of ["none", "zstd"])
    assert.ok(
      lines.some((l) => / user-3 event-3 codec=/.test(l) && l.endsWith(`codec=${codec}`)),
      codec,
    );
  // One key, one partition.
  const partitionOf = new Map<string, string>();
  for (const l of lines) {
    const [p, , key] = l.split(" ");
    if (partitionOf.has(key as string))
      assert.equal(partitionOf.get(key as string), p, `key ${key}`);
    partitionOf.set(key as string, p as string);
  }
  // The JSON form and the offset selections.
  await same(["consume", "cli-data", "-f", "json", "-p", "0", "-n", "3"]);
  await same(["consume", "cli-data", "-o", "-2", "-f", "%p %o %v\\n"]);
  await same(["consume", "cli-data", "-o", "4", "-p", "1", "-f", "%o %v\\n"]);
  const fromFuture = await same(["consume", "cli-data", "-o", `@${Date.now() + 3_600_000}`]);
  assert.deepEqual(fromFuture, []);
});

test("a key goes to the partition kafkajs (Java's murmur2) picks", async () => {
  for (const side of SIDES) {
    await ok(side, ["topic", "create", "cli-keys", "-p", "7"]);
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i * 37}`);
    await ok(
      side,
      ["produce", "cli-keys", "-K", "=", "-q"],
      keys.map((k) => `${k}=cli`).join("\n"),
    );
    const p = kafkajs(side).producer();
    await p.connect();
    await p.send({ topic: "cli-keys", messages: keys.map((key) => ({ key, value: "kafkajs" })) });
    await p.disconnect();
    const out = await ok(side, ["consume", "cli-keys", "-f", "%k %p %v\\n"]);
    const where = new Map<string, Set<string>>();
    for (const l of out.trim().split("\n")) {
      const [k, p] = l.split(" ");
      where.set(k as string, new Set([...(where.get(k as string) ?? []), p as string]));
    }
    assert.equal(where.size, 40);
    for (const [k, ps] of where) assert.equal(ps.size, 1, `${side}: ${k} in partitions ${[...ps]}`);
  }
});

test("read_committed leaves out an aborted transaction; read_uncommitted shows it", async () => {
  for (const side of SIDES) {
    await ok(side, ["topic", "create", "cli-txn", "-p", "1"]);
    const producer = kafkajs(side).producer({
      transactionalId: `cli-txn-${side}`,
      maxInFlightRequests: 1,
      idempotent: true,
    });
    await producer.connect();
    for (const [value, commit] of [
      ["kept-1", true],
      ["dropped", false],
      ["kept-2", true],
    ] as const) {
      const t = await producer.transaction();
      await t.send({ topic: "cli-txn", messages: [{ value }] });
      if (commit) await t.commit();
      else await t.abort();
    }
    await producer.disconnect();
  }
  assert.deepEqual(await same(["consume", "cli-txn", "--isolation", "read_committed"]), [
    "kept-1",
    "kept-2",
  ]);
  assert.deepEqual(await same(["consume", "cli-txn"]), ["dropped", "kept-1", "kept-2"]);
});

test("consume --follow waits for records produced after it started", async () => {
  for (const side of SIDES) {
    await ok(side, ["topic", "create", "cli-follow", "-p", "1"]);
    const reading = cli(side, ["consume", "cli-follow", "-o", "end", "--follow", "-n", "2"]);
    await new Promise((r) => setTimeout(r, 1500));
    await ok(side, ["produce", "cli-follow", "-q"], "late-1\nlate-2\n");
    const r = await reading;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "late-1\nlate-2\n", side);
  }
});

test("consume --group reads what the group has not committed, commits as it goes, and leaves", async () => {
  await same(["topic", "create", "cli-member", "-p", "2"]);
  await same(
    ["produce", "cli-member", "-K", ":", "-q"],
    Array.from({ length: 8 }, (_, i) => `key-${i}:v${i}`).join("\n"),
  );
  const first = await same([
    "consume",
    "cli-member",
    "-g",
    "cli-members",
    "-n",
    "3",
    "-f",
    "%p %o %v\\n",
  ]);
  assert.equal(first.length, 3);
  const rest = await same(["consume", "cli-member", "-g", "cli-members", "-f", "%p %o %v\\n"]);
  assert.equal(rest.length, 5);
  assert.deepEqual(
    [...first, ...rest].map((l) => l.split(" ")[2]).sort(),
    Array.from({ length: 8 }, (_, i) => `v${i}`).sort(),
  );
  for (const side of SIDES) {
    const d = JSON.parse(
      await ok(side, ["group", "describe", "cli-members", "--format", "json"]),
    ) as {
      state: string;
      members: unknown[];
      totalLag: number;
    };
    assert.deepEqual([d.state, d.members.length, d.totalLag], ["Empty", 0, 0], side);
  }
  await same(["consume", "cli-member", "-g", "cli-members"]);
});

test("group list, describe (lag from offsets), seek with dry run, delete", async () => {
  await same(["topic", "create", "cli-grp", "-p", "2"]);
  await same(
    ["produce", "cli-grp", "-K", ":", "-q"],
    Array.from({ length: 10 }, (_, i) => `k${i}:v${i}`).join("\n"),
  );
  for (const side of SIDES) {
    const consumer = kafkajs(side).consumer({ groupId: "cli-readers", maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: "cli-grp", fromBeginning: true });
    let read = 0;
    await new Promise<void>((resolve) => {
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          // Commit only up to the 3rd record of each partition: lag remains.
          if (Number(message.offset) < 3)
            await consumer.commitOffsets([
              { topic: "cli-grp", partition, offset: String(Number(message.offset) + 1) },
            ]);
          if (++read === 10) resolve();
        },
      });
    });
    const live = JSON.parse(
      await ok(side, ["group", "describe", "cli-readers", "--format", "json"]),
    ) as {
      state: string;
      members: { assignment: { topic: string; partitions: number[] }[] }[];
    };
    assert.equal(live.state, "Stable", side);
    assert.deepEqual(
      live.members.flatMap((m) => m.assignment.flatMap((t) => t.partitions)).sort(),
      [0, 1],
      side,
    );
    await consumer.disconnect();
  }
  const listed = await same(["group", "list"]);
  assert.ok(
    listed.some((l) => /^cli-readers +classic +Empty +consumer$/.test(l)),
    listed.join("\n"),
  );

  // The PARTITIONS section's rows (after its title, underline and column names).
  const partitionRows = (text: string) =>
    text
      .slice(text.indexOf("PARTITIONS"))
      .split("\n")
      .slice(3)
      .filter((l) => l !== "")
      .sort();
  const described = await Promise.all(
    SIDES.map((s) => ok(s, ["group", "describe", "cli-readers"])),
  );
  assert.deepEqual(partitionRows(described[0] as string), partitionRows(described[1] as string));
  const ends = await same(["consume", "cli-grp", "-f", "%p\\n"]);
  for (const row of partitionRows(described[0] as string)) {
    const [topic, partition, current, end, lag] = row.split(/ +/);
    assert.equal(topic, "cli-grp");
    assert.equal(current, "3");
    assert.equal(Number(end), ends.filter((p) => p === partition).length);
    assert.equal(Number(lag), Number(end) - 3);
  }

  const dry = await same(["group", "seek", "cli-readers", "--to", "start", "--dry-run"]);
  assert.ok(
    dry.every((l) => l.startsWith("TOPIC") || /^cli-grp +\d +3 +0 +DRY-RUN$/.test(l)),
    dry.join("\n"),
  );
  await same(["group", "seek", "cli-readers", "--to", "-1"]);
  for (const side of SIDES) {
    const d = JSON.parse(
      await ok(side, ["group", "describe", "cli-readers", "--format", "json"]),
    ) as {
      partitions: { committed: number; end: number; lag: number }[];
      totalLag: number;
    };
    for (const p of d.partitions) assert.deepEqual([p.committed, p.lag], [p.end - 1, 1], side);
    assert.equal(d.totalLag, 2, side);
  }
  assert.deepEqual(
    await same(["group", "delete", "cli-readers"]),
    ["GROUP        STATUS", "cli-readers  OK"].sort(),
  );
  const gone = await Promise.all(SIDES.map((s) => cli(s, ["group", "delete", "cli-readers"])));
  for (const r of gone) {
    assert.equal(r.code, 1);
    assert.match(r.stdout, /cli-readers +GROUP_ID_NOT_FOUND/);
  }
});
