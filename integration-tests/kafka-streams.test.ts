/**
 * Kafka Streams 4.4.0 (integration-tests/streams/: word count with exactly_once_v2 and a
 * KTable-KTable join) against Logbook and against the reference Apache Kafka. Each run
 * feeds the same deterministic input, SIGKILLs the application as soon as its first
 * transaction is committed, restarts it on the same state directory, and reads the
 * outputs with read_committed: every word's counts must be exactly 1..n (no duplicate,
 * nothing missing) and the join's last value per word "category:n", on both brokers,
 * and the internal topics Streams created (repartition, changelogs) must be the same.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createListOffsetsRequest, ListOffsetsApi } from "@logbook/protocol";
import { type BrokerProcess, removeDir, startBroker, tempDir } from "./helpers/broker-process.js";
import { type KafkaProcess, startKafka } from "./helpers/kafka-process.js";
import { WireClient } from "./helpers/wire-client.js";
import { runStreamsTool, startWordCount, streamsClasspath } from "./streams/streams-app.js";

const PARTITIONS = 3;
const LINES = 300;
const VOCABULARY = [
  "alpha",
  "bravo",
  "charlie",
  "delta",
  "echo",
  "foxtrot",
  "golf",
  "hotel",
  "india",
  "juliet",
  "kilo",
  "lima",
  "mike",
  "november",
  "oscar",
  "papa",
  "quebec",
  "romeo",
  "sierra",
  "tango",
  "uniform",
  "victor",
  "whiskey",
  "xray",
  "yankee",
  "zulu",
];
/** Every word but each third has a category, so the inner join leaves some out. */
const CATEGORIES = new Map(
  VOCABULARY.flatMap((w, i) => (i % 3 === 2 ? [] : [[w, i % 2 === 0 ? "even" : "odd"] as const])),
);

/** A small deterministic PRNG (mulberry32), so both brokers get the same input. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(12);
const LINES_TEXT = Array.from({ length: LINES }, () =>
  Array.from(
    { length: 3 + Math.floor(rand() * 5) },
    () => VOCABULARY[Math.floor(rand() * VOCABULARY.length)] as string,
  ).join(" "),
);
const EXPECTED_COUNTS = new Map<string, number>();
for (const line of LINES_TEXT)
  for (const w of line.split(" ")) EXPECTED_COUNTS.set(w, (EXPECTED_COUNTS.get(w) ?? 0) + 1);
const WORDS_TOTAL = [...EXPECTED_COUNTS.values()].reduce((a, b) => a + b, 0);

interface Outcome {
  /** word -> every count the output topic carries for it, in offset order. */
  counts: Map<string, string[]>;
  /** word -> every joined value, in offset order. */
  joined: Map<string, string[]>;
  /** Streams' internal topics: name, partitions, configs set on the topic. */
  internal: string[];
  /** Sum of the output topic's last stable offsets when the app was killed. */
  lsoAtKill: bigint;
}

let kafka: KafkaProcess;
let logbook: BrokerProcess;
const outcomes = new Map<string, Outcome>();

before(async () => {
  streamsClasspath();
  // No initial rebalance delay on either broker: the restarted app joins at once.
  [kafka, logbook] = await Promise.all([
    startKafka({ config: { "group.initial.rebalance.delay.ms": "0" } }),
    startBroker({ args: ["-o", "group.initial.rebalance.delay.ms=0"] }),
  ]);
});
after(async () => {
  await Promise.all([kafka?.stop(), logbook?.stop()]);
  await removeDir(logbook?.dataDir ?? "");
});

/** Sum over the partitions of `topic` of its last stable offset (read_committed ListOffsets). */
async function committedEnd(port: number, topic: string): Promise<bigint> {
  const c = await WireClient.connect(port);
  try {
    const r = await c.request(
      ListOffsetsApi,
      7,
      createListOffsetsRequest({
        replicaId: -1,
        isolationLevel: 1,
        topics: [
          {
            name: topic,
            partitions: Array.from({ length: PARTITIONS }, (_, p) => ({
              partitionIndex: p,
              currentLeaderEpoch: -1,
              timestamp: -1n,
              maxNumOffsets: 1,
            })),
          },
        ],
      }),
    );
    let sum = 0n;
    for (const t of r.body.topics)
      for (const p of t.partitions) {
        assert.equal(p.errorCode, 0, `ListOffsets ${topic}-${p.partitionIndex}`);
        sum += p.offset;
      }
    return sum;
  } finally {
    c.close();
  }
}

async function runWordCount(bootstrap: string, port: number): Promise<Outcome> {
  const appId = "wordcount";
  // The input arrives in two halves, the second only after the kill, so the kill is
  // mid-stream however much the app commits in its first transaction (on a fast broker
  // one transaction could hold all of it).
  const half = Math.floor(LINES / 2);
  const lineRecords = (from: number, to: number) =>
    LINES_TEXT.slice(from, to).map((line, i) => `wc-input\tline-${from + i}\t${line}`);
  const feed = async (records: string[], topics: string[]) => {
    const fed = await runStreamsTool(
      "Feed",
      [bootstrap, ...topics.map((t) => `${t}:${PARTITIONS}`)],
      {
        input: records.join("\n"),
      },
    );
    assert.equal(fed.code, 0, fed.stderr);
    assert.equal(fed.stdout.trim(), `sent ${records.length}`);
  };
  await feed(
    [...[...CATEGORIES].map(([w, c]) => `wc-categories\t${w}\t${c}`), ...lineRecords(0, half)],
    ["wc-input", "wc-categories", "wc-counts", "wc-joined"],
  );

  const stateDir = await tempDir("logbook-streams-");
  try {
    const first = startWordCount(bootstrap, appId, stateDir);
    let lsoAtKill = 0n;
    try {
      await first.waitForState("RUNNING");
      // Kill as soon as the first transaction's output is committed: mid-stream.
      const deadline = Date.now() + 60_000;
      while (lsoAtKill === 0n && Date.now() < deadline) {
        lsoAtKill = await committedEnd(port, "wc-counts");
        if (lsoAtKill === 0n) await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await first.kill();
    }
    assert.ok(lsoAtKill > 0n, `no committed output before the kill:\n${first.stdout()}`);
    await feed(lineRecords(half, LINES), []);

    const second = startWordCount(bootstrap, appId, stateDir);
    let read: Awaited<ReturnType<typeof runStreamsTool>>;
    try {
      await second.waitForState("RUNNING", 90_000);
      read = await runStreamsTool("ReadCommitted", [
        bootstrap,
        "wc-counts",
        String(WORDS_TOTAL),
        "90000",
        "wc-counts",
        "wc-joined",
      ]);
    } finally {
      // The JVM exits 143 on SIGTERM (its shutdown hook closes KafkaStreams; whether the
      // close completes under load is not what this test is about).
      assert.equal(await second.stop(), 143, second.stderr());
    }
    assert.equal(read.code, 0, `${read.stdout.slice(-2000)}\n${read.stderr}`);

    const counts = new Map<string, string[]>();
    const joined = new Map<string, string[]>();
    const lines = read.stdout.trim().split("\n");
    assert.equal(lines.at(-1), "done");
    const records = lines.slice(0, -1).map(
      (l) =>
        JSON.parse(l) as {
          topic: string;
          partition: number;
          offset: number;
          key: string;
          value: string;
        },
    );
    records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    for (const r of records) {
      const into = r.topic === "wc-counts" ? counts : joined;
      into.set(r.key, [...(into.get(r.key) ?? []), r.value]);
    }
    const internal = await runStreamsTool("InternalTopics", [bootstrap, `${appId}-`]);
    assert.equal(internal.code, 0, internal.stderr);
    return {
      counts,
      joined,
      internal: internal.stdout.trim().split("\n"),
      lsoAtKill,
    };
  } finally {
    await removeDir(stateDir);
  }
}

function assertExact(o: Outcome, broker: string): void {
  // Each word's count updates are exactly 1..n: none lost or doubled by the kill.
  const expectedCounts = new Map(
    [...EXPECTED_COUNTS].map(([w, n]) => [w, Array.from({ length: n }, (_, i) => String(i + 1))]),
  );
  assert.deepEqual(o.counts, expectedCounts, `${broker}: word counts`);
  // The kill really was mid-stream: fewer offsets committed than records expected.
  assert.ok(o.lsoAtKill < BigInt(WORDS_TOTAL), `${broker}: killed after ${o.lsoAtKill}`);
  // The join: only categorised words, ending at "category:n", counts strictly rising.
  assert.deepEqual(
    [...o.joined.keys()].sort(),
    [...EXPECTED_COUNTS.keys()].filter((w) => CATEGORIES.has(w)).sort(),
    `${broker}: joined words`,
  );
  for (const [w, values] of o.joined) {
    const n = values.map((v) => Number(v.split(":")[1]));
    assert.equal(
      values.at(-1),
      `${CATEGORIES.get(w)}:${EXPECTED_COUNTS.get(w)}`,
      `${broker}: ${w}`,
    );
    assert.ok(
      n.every((x, i) => i === 0 || x > (n[i - 1] as number)),
      `${broker}: ${w} joined counts rise: ${values.join(" ")}`,
    );
  }
  // The repartition topic and both changelogs exist, with the configs Streams asked for.
  const names = o.internal.map((l) => (JSON.parse(l) as { name: string }).name);
  assert.deepEqual(names, [
    "wordcount-by-word-repartition",
    "wordcount-categories-changelog",
    "wordcount-counts-changelog",
  ]);
}

test("Kafka Streams EOS v2 word count + join, killed and restarted: exact output on Kafka", async () => {
  const o = await runWordCount(kafka.bootstrap, kafka.port);
  console.log(`kafka: killed at committed end ${o.lsoAtKill} of ${WORDS_TOTAL}`);
  assertExact(o, "kafka");
  outcomes.set("kafka", o);
});

test("Kafka Streams EOS v2 word count + join, killed and restarted: exact output on Logbook", async () => {
  const o = await runWordCount(logbook.bootstrap, logbook.port);
  console.log(`logbook: killed at committed end ${o.lsoAtKill} of ${WORDS_TOTAL}`);
  assertExact(o, "logbook");
  outcomes.set("logbook", o);
});

test("Kafka Streams gives the same outputs and internal topics on Logbook as on Kafka", () => {
  const k = outcomes.get("kafka");
  const l = outcomes.get("logbook");
  assert.ok(k !== undefined && l !== undefined, "both runs completed");
  assert.deepEqual(l.counts, k.counts);
  const last = (m: Map<string, string[]>) => new Map([...m].map(([w, v]) => [w, v.at(-1)]));
  assert.deepEqual(last(l.joined), last(k.joined));
  assert.deepEqual(l.internal, k.internal);
});
