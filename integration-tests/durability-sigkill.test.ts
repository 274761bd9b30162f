/**
 * Crash durability: librdkafka (python3-confluent-kafka, durability_producer.py) and two
 * kafkajs send loops produce with acks=all to a 3-partition topic while a kafkajs
 * consumer in a group consumes and commits; the broker is killed with SIGKILL at seeded
 * random moments and restarted on the same data directory and port, cycle after cycle.
 * Every acknowledged record (partition and offset from the delivery report / send
 * result) must then be readable at that offset with its exact key, value and headers;
 * after each restart the group's committed offsets are at least the last ones whose
 * commit succeeded before the kill; the consumer resumes from them (never from an
 * earlier offset) and, by the end, has seen every offset of the log (no gap).
 *
 * What this guarantees, by flush policy:
 *  - log.flush.interval.messages=1 (fsync before every acknowledgement): an acknowledged
 *    record survives a process crash, and also an OS crash or power loss, which this
 *    test cannot stage.
 *  - the default (flushing left to the OS): an acknowledged record survives a process
 *    crash too, because the write reached the kernel's page cache before the
 *    acknowledgement and the kernel outlives the process; an OS crash or power loss can
 *    lose the records written since the last fsync (segment roll, checkpoint,
 *    log.flush.interval.ms).
 *
 * LOGBOOK_DURABILITY_CYCLES sets the kill cycles of the fsync run (20 by default; the
 * OS-flush run does a quarter as many, at least 3); LOGBOOK_DURABILITY_SEED replays the
 * kill moments of a run (its seed is printed).
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { type Consumer, Kafka, logLevel, type Producer } from "kafkajs";
import {
  type BrokerProcess,
  removeDir,
  type StartOptions,
  startBroker,
  tempDir,
} from "./helpers/broker-process.js";
import {
  createTopic,
  FAST_CONSUMER,
  JsonLinesProcess,
  requirePythonModule,
  sleep,
  waitFor,
} from "./helpers/groups.js";
import { type FetchedRecord, fetchAll } from "./helpers/wire-data.js";

const CYCLES = Number(process.env.LOGBOOK_DURABILITY_CYCLES ?? 20);
const SEED = Number(process.env.LOGBOOK_DURABILITY_SEED ?? Date.now() % 2 ** 31);
const TOPIC = "durable";
const PARTITIONS = 3;
const GROUP = "durable-group";

before(() => requirePythonModule("confluent_kafka"));

/** mulberry32, as in fuzz-frames.test.ts: reproducible kill moments from one seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface AckedRecord {
  source: string;
  partition: number;
  offset: bigint;
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** Two kafkajs send loops (one record per send, acks=-1), recording what was acknowledged. */
class KafkajsSenders {
  readonly acked: AckedRecord[] = [];
  failures = 0;
  private running = true;
  private readonly loops: Promise<void>[] = [];

  constructor(private readonly producer: Producer) {}

  start(count: number): void {
    for (let id = 0; id < count; id++) this.loops.push(this.loop(`kj${id}`));
  }

  private async loop(src: string): Promise<void> {
    for (let n = 0; this.running; n++) {
      const key = `${src}-k${n}`;
      const value = `${src}-v${n}`;
      const headers = { n: String(n), src };
      const partition = n % PARTITIONS;
      try {
        const [meta] = await this.producer.send({
          topic: TOPIC,
          acks: -1,
          messages: [{ key, value, headers, partition }],
        });
        if (meta === undefined || meta.errorCode !== 0) throw new Error("no ack");
        this.acked.push({
          source: src,
          partition: meta.partition,
          offset: BigInt(meta.baseOffset as string),
          key,
          value,
          headers,
        });
      } catch {
        this.failures++;
        await sleep(50);
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

/**
 * A kafkajs group member with auto-commit every 200 ms, recording what it consumed and
 * (from kafkajs's COMMIT_OFFSETS events, emitted once the broker accepted a commit) the
 * highest committed offset per partition.
 */
class CommittingConsumer {
  readonly seen = Array.from({ length: PARTITIONS }, () => new Set<number>());
  readonly position = new Array<number>(PARTITIONS).fill(0);
  /** Highest offset per partition whose commit the broker acknowledged. */
  readonly lastCommitted = new Array<number>(PARTITIONS).fill(0);
  /** Per cycle, the first offset consumed per partition after that cycle's kill. */
  readonly firstInCycle: (number | undefined)[][] = [];
  cycle = 0;
  commits = 0;

  /** Times kafkajs gave up on its consumer (a crash without restart) and we made a new one. */
  replaced = 0;
  lastCrash = "";
  private consumer: Consumer;
  private stopped = false;

  constructor(private readonly make: () => Consumer) {
    this.consumer = this.watch(make());
  }

  private watch(consumer: Consumer): Consumer {
    consumer.on(consumer.events.COMMIT_OFFSETS, (e) => {
      this.commits++;
      for (const t of e.payload.topics)
        for (const p of t.partitions)
          this.lastCommitted[p.partition] = Math.max(
            this.lastCommitted[p.partition] ?? 0,
            Number(p.offset),
          );
    });
    consumer.on(consumer.events.CRASH, (e) => {
      this.lastCrash = String(e.payload.error);
      if (e.payload.restart || this.stopped) return;
      // A member that kafkajs will not restart: join again with a new one, as an
      // application would; it resumes from the committed offsets.
      this.replaced++;
      this.consumer = this.watch(this.make());
      void this.start().catch((err: unknown) => {
        this.lastCrash = String(err);
      });
    });
    return consumer;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await this.consumer.run({
      autoCommit: true,
      autoCommitInterval: 200,
      eachMessage: async ({ partition, message }) => {
        const offset = Number(message.offset);
        this.seen[partition]?.add(offset);
        const first = this.firstInCycle[this.cycle] ?? [];
        this.firstInCycle[this.cycle] = first;
        if (first[partition] === undefined) first[partition] = offset;
        this.position[partition] = Math.max(this.position[partition] ?? 0, offset + 1);
      },
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.consumer.disconnect();
  }
}

/** The group's committed offsets, retrying while the restarted coordinator loads. */
async function committedOffsets(bootstrap: string): Promise<number[]> {
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        const [t] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
        const out = new Array<number>(PARTITIONS).fill(-1);
        for (const p of t?.partitions ?? []) out[p.partition] = Number(p.offset);
        return out;
      } catch (e) {
        // COORDINATOR_LOAD_IN_PROGRESS is retriable, but kafkajs's admin gives up on it.
        if (attempt >= 100) throw e;
        await sleep(100);
      }
    }
  } finally {
    await admin.disconnect();
  }
}

function ackedFromPython(p: JsonLinesProcess): AckedRecord[] {
  return p.events("acked").map((l) => ({
    source: "librdkafka",
    partition: l.partition as number,
    offset: BigInt(l.offset as number),
    key: l.key as string,
    value: l.value as string,
    headers: l.headers as Record<string, string>,
  }));
}

/** Every acknowledged record is at its offset with its key, value and headers. */
async function verifyAcked(broker: BrokerProcess, acked: AckedRecord[]): Promise<void> {
  const logs: Map<bigint, FetchedRecord>[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const { records } = await fetchAll(broker.port, TOPIC, p);
    logs.push(new Map(records.map((r) => [r.offset, r])));
  }
  const bad: string[] = [];
  for (const a of acked) {
    const r = logs[a.partition]?.get(a.offset);
    const ok =
      r !== undefined &&
      r.key === a.key &&
      r.value === a.value &&
      JSON.stringify(r.headers) === JSON.stringify(a.headers);
    if (!ok)
      bad.push(
        `${a.source} ${a.key} acked at ${a.partition}@${a.offset}, found ${r === undefined ? "nothing" : JSON.stringify({ ...r, offset: String(r.offset), timestamp: String(r.timestamp) })}`,
      );
  }
  assert.equal(
    bad.length,
    0,
    `${bad.length} acknowledged records lost or changed:\n${bad.slice(0, 10).join("\n")}`,
  );
}

async function killAndRestart(
  broker: BrokerProcess,
  opts: StartOptions,
  downMs: number,
): Promise<BrokerProcess> {
  process.kill(broker.pid, "SIGKILL");
  await broker.exited;
  await sleep(downMs);
  return startBroker(opts);
}

async function crashCycles(
  t: { diagnostic(m: string): void },
  flushArgs: string[],
  cycles: number,
  seed: number,
): Promise<void> {
  t.diagnostic(`seed ${seed} (LOGBOOK_DURABILITY_SEED to replay), ${cycles} kill cycles`);
  const rand = rng(seed);
  const dataDir = await tempDir("logbook-durable-");
  const first = await startBroker({
    dataDir,
    args: ["--log-level", "error", ...flushArgs],
    env: { LOGBOOK_GROUP_INITIAL_REBALANCE_DELAY_MS: "0" },
  });
  // Same port across restarts: the clients keep their bootstrap address.
  const opts: StartOptions = {
    dataDir,
    port: first.port,
    args: ["--log-level", "error", ...flushArgs],
    env: { LOGBOOK_GROUP_INITIAL_REBALANCE_DELAY_MS: "0" },
  };
  let broker = first;
  const kafka = new Kafka({
    clientId: "durability-it",
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 500 },
  });
  const producer = kafka.producer({
    retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 500 },
  });
  const senders = new KafkajsSenders(producer);
  const consumer = new CommittingConsumer(() =>
    kafka.consumer({ groupId: GROUP, ...FAST_CONSUMER, maxWaitTimeInMs: 100 }),
  );
  let py: JsonLinesProcess | undefined;
  try {
    await createTopic(kafka, TOPIC, PARTITIONS);
    await producer.connect();
    py = JsonLinesProcess.python("librdkafka producer", "durability_producer.py", [
      broker.bootstrap,
      TOPIC,
      String(PARTITIONS),
      "rd",
    ]);
    senders.start(2);
    await consumer.start();
    await py.waitLine("a first delivery", (l) => l.event === "acked");
    const rdProducer = py;

    const committedAtKills: number[][] = [];
    const started = Date.now();
    let restartMs = 0;
    let waitAckMs = 0;
    for (let c = 1; c <= cycles; c++) {
      await sleep(100 + Math.floor(rand() * 600));
      const committedAtKill = [...consumer.lastCommitted];
      committedAtKills[c] = committedAtKill;
      const ackedBefore = senders.acked.length + py.events("acked").length;
      consumer.cycle = c;
      const killedAt = Date.now();
      broker = await killAndRestart(broker, opts, Math.floor(rand() * 200));
      const upAt = Date.now();
      restartMs += upAt - killedAt;
      const committed = await committedOffsets(broker.bootstrap);
      for (let p = 0; p < PARTITIONS; p++)
        assert.ok(
          (committed[p] ?? -1) >= (committedAtKill[p] ?? 0),
          `cycle ${c}: partition ${p} committed ${committed[p]} after the restart, ${committedAtKill[p]} was committed before the kill`,
        );
      // Progress since the previous restart means the kill landed among live traffic.
      await waitFor(
        `cycle ${c}: acknowledgements after the restart`,
        () => senders.acked.length + rdProducer.events("acked").length > ackedBefore,
        30_000,
      );
      waitAckMs += Date.now() - upAt;
    }
    t.diagnostic(
      `cycles took ${Date.now() - started} ms: restarts ${restartMs} ms, first acks after a restart ${waitAckMs} ms`,
    );

    // Quiesce: stop producing, let the consumer reach the end and commit it.
    await senders.stop();
    py.send("stop");
    await py.waitLine("flush", (l) => l.event === "done", 70_000);
    const ends: number[] = [];
    for (let p = 0; p < PARTITIONS; p++)
      ends.push(Number((await fetchAll(broker.port, TOPIC, p, 0n)).highWatermark));
    await waitFor(
      "the consumer to reach the end of every partition",
      () => consumer.position.every((o, p) => o >= (ends[p] ?? 0)),
      60_000,
      () => ({
        position: consumer.position,
        ends,
        replaced: consumer.replaced,
        lastCrash: consumer.lastCrash,
      }),
    );
    await sleep(1000); // a last auto-commit
    const finalCommitted = [...consumer.lastCommitted];
    await consumer.stop();

    // One more crash after the last acknowledgements, then check everything.
    broker = await killAndRestart(broker, opts, 0);
    const acked = [...senders.acked, ...ackedFromPython(py)];
    const rd = acked.filter((a) => a.source === "librdkafka").length;
    t.diagnostic(
      `${cycles} kills, ${acked.length} acknowledged records (librdkafka ${rd}, kafkajs ${acked.length - rd}), ${senders.failures} failed kafkajs sends, ${py.events("failed").length} failed librdkafka deliveries, ${consumer.commits} commits, consumer replaced ${consumer.replaced} times (last crash: ${consumer.lastCrash || "none"}), log ends ${ends.join("/")}`,
    );
    assert.ok(rd >= 50 && acked.length - rd >= 50, "both clients had records acknowledged");
    await verifyAcked(broker, acked);

    const committed = await committedOffsets(broker.bootstrap);
    for (let p = 0; p < PARTITIONS; p++)
      assert.ok(
        (committed[p] ?? -1) >= (finalCommitted[p] ?? 0),
        `partition ${p}: committed ${committed[p]} after the last crash, ${finalCommitted[p]} before`,
      );
    assert.ok(consumer.commits > cycles, "the consumer committed throughout");
    for (let p = 0; p < PARTITIONS; p++) {
      const seen = consumer.seen[p] as Set<number>;
      const missing: number[] = [];
      for (let o = 0; o < (ends[p] ?? 0) && missing.length < 10; o++)
        if (!seen.has(o)) missing.push(o);
      assert.deepEqual(missing, [], `partition ${p}: the consumer skipped no offset`);
    }
    // Resuming means from the committed offsets: never back before what was committed
    // when the broker went down.
    let resumed = 0;
    for (let c = 1; c <= cycles; c++) {
      const first = consumer.firstInCycle[c] ?? [];
      for (let p = 0; p < PARTITIONS; p++) {
        const o = first[p];
        if (o === undefined) continue;
        resumed++;
        const floor = committedAtKills[c]?.[p] ?? 0;
        assert.ok(o >= floor, `cycle ${c}: partition ${p} resumed at ${o}, below ${floor}`);
      }
    }
    assert.ok(resumed > 0, "the consumer consumed after restarts");
  } finally {
    py?.kill();
    await senders.stop().catch(() => {});
    await producer.disconnect().catch(() => {});
    if (broker.isAlive()) await broker.stop();
    await removeDir(dataDir);
  }
}

test(`SIGKILL with fsync per append (log.flush.interval.messages=1): nothing acknowledged is lost, committed offsets survive (seed ${SEED})`, async (t) => {
  await crashCycles(t, ["-o", "log.flush.interval.messages=1"], CYCLES, SEED);
});

test(`SIGKILL with the OS-flush default: nothing acknowledged is lost to a process crash (seed ${SEED + 1})`, async (t) => {
  await crashCycles(t, [], Math.max(3, Math.ceil(CYCLES / 4)), SEED + 1);
});
