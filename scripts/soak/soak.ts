/**
 * Soak test (not part of CI): `pnpm soak [--minutes N]` (10 by default) runs a mixed
 * kafkajs workload against a real `logbook start` process (packages/broker/dist, so the
 * package script builds first) and prints, once a second, the broker's RSS, open file
 * descriptors, event-loop delay (measured inside the broker by loop-delay-preload.mjs)
 * and a client-observed probe latency (ApiVersions round trip on an idle connection),
 * plus produce/consume throughput. Exits 1 when the broker dies, when the workload
 * stalls, or on a leak trend: the least-squares slope of RSS or open descriptors over
 * the second half of the run above RSS_SLOPE_LIMIT / FD_SLOPE_LIMIT per minute.
 *
 * Workload: two producers send batches of 50 records (acks=-1) to a 4-partition topic
 * with 8 MiB segments and retention.bytes, retention checked every 10 s (so segments
 * roll and retention deletes them all run long); a consumer group whose membership churns (a member leaves and a new one joins
 * every 10 s); a topic created, written and deleted every 3 s.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Consumer, Kafka, logLevel, type Producer } from "kafkajs";
import {
  type BrokerProcess,
  REPO_ROOT,
  removeDir,
  startBroker,
} from "../../integration-tests/helpers/broker-process.js";
import { WireClient } from "../../integration-tests/helpers/wire-client.js";

/** MiB per minute of RSS growth over the second half that counts as a leak. */
const RSS_SLOPE_LIMIT = 8;
/** Open descriptors per minute of growth over the second half that counts as a leak. */
const FD_SLOPE_LIMIT = 6;
const TOPIC = "soak";
const PARTITIONS = 4;
const GROUP = "soak-group";

interface Sample {
  t: number;
  rssMib: number;
  fds: number;
  loopP99: number;
  loopMax: number;
  probeMs: number;
  produced: number;
  consumed: number;
}

function parseMinutes(argv: string[]): number {
  const i = argv.indexOf("--minutes");
  if (i < 0) return 10;
  const m = Number(argv[i + 1]);
  if (!(m > 0)) throw new Error("--minutes needs a positive number");
  return m;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Least-squares slope of y over x. */
function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

async function rssMib(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? Number.NaN);
  return Math.round((kib / 1024) * 10) / 10;
}

async function openFds(pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/fd`)).length;
}

class Workload {
  produced = 0;
  consumed = 0;
  errors = 0;
  lastError = "";
  topicsCycled = 0;
  private running = true;
  private readonly tasks: Promise<void>[] = [];
  private readonly members: Consumer[] = [];

  constructor(private readonly kafka: Kafka) {}

  private noteError(e: unknown): void {
    this.errors++;
    this.lastError = String(e);
  }

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        {
          topic: TOPIC,
          numPartitions: PARTITIONS,
          configEntries: [
            // Each segment holds a file open until retention deletes it: with retention
            // checked every 10 s (below), segments roll and go many times a run.
            { name: "segment.bytes", value: String(8 * 1024 * 1024) },
            { name: "retention.bytes", value: String(32 * 1024 * 1024) },
          ],
        },
      ],
    });
    await admin.disconnect();
    for (let i = 0; i < 2; i++) {
      const producer = this.kafka.producer();
      await producer.connect();
      this.tasks.push(this.produceLoop(producer, i));
    }
    for (let i = 0; i < 2; i++) await this.addMember();
    this.tasks.push(this.churnLoop(), this.topicLoop());
  }

  private async produceLoop(producer: Producer, id: number): Promise<void> {
    const value = "v".repeat(200);
    for (let n = 0; this.running; n++) {
      try {
        await producer.send({
          topic: TOPIC,
          acks: -1,
          messages: Array.from({ length: 50 }, (_, i) => ({ key: `p${id}-${n}-${i}`, value })),
        });
        this.produced += 50;
        await sleep(10); // a steady load (some thousands a second), not a flood
      } catch (e) {
        this.noteError(e);
        await sleep(100);
      }
    }
    await producer.disconnect();
  }

  private async addMember(): Promise<void> {
    const c = this.kafka.consumer({
      groupId: GROUP,
      sessionTimeout: 6000,
      rebalanceTimeout: 10000,
      heartbeatInterval: 500,
      maxWaitTimeInMs: 250,
    });
    await c.connect();
    await c.subscribe({ topic: TOPIC, fromBeginning: false });
    await c.run({
      eachBatch: async ({ batch }) => {
        this.consumed += batch.messages.length;
      },
    });
    this.members.push(c);
  }

  private async churnLoop(): Promise<void> {
    while (this.running) {
      await sleep(10_000);
      if (!this.running) break;
      try {
        await this.members.shift()?.disconnect();
        await this.addMember();
      } catch (e) {
        this.noteError(e);
      }
    }
  }

  private async topicLoop(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const producer = this.kafka.producer();
    await producer.connect();
    for (let n = 0; this.running; n++) {
      const topic = `soak-tmp-${n}`;
      try {
        await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
        await producer.send({ topic, messages: [{ value: "short-lived" }] });
        await admin.deleteTopics({ topics: [topic] });
        this.topicsCycled++;
      } catch (e) {
        this.noteError(e);
      }
      await sleep(3000);
    }
    await producer.disconnect();
    await admin.disconnect();
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.allSettled(this.tasks);
    await Promise.allSettled(this.members.map((m) => m.disconnect()));
  }
}

/** ApiVersions v0 (size, key 18, version 0, correlation id, client id "soak"). */
const API_VERSIONS_V0 = Buffer.from([
  0, 0, 0, 14, 0, 18, 0, 0, 0, 0, 0, 1, 0, 4, 115, 111, 97, 107,
]);

/** ApiVersions round trip on its own connection: event-loop delay as a client sees it. */
async function probe(client: WireClient): Promise<number> {
  const start = performance.now();
  client.write(API_VERSIONS_V0);
  await client.nextFrame();
  return Math.round((performance.now() - start) * 100) / 100;
}

function lastLoopDelay(broker: BrokerProcess): { p99: number; max: number } {
  const lines = broker.stderr().split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^soak-loop-delay (.*)$/.exec(lines[i] as string);
    if (m) return JSON.parse(m[1] as string) as { p99: number; max: number };
  }
  return { p99: Number.NaN, max: Number.NaN };
}

async function main(): Promise<number> {
  const minutes = parseMinutes(process.argv.slice(2));
  const broker = await startBroker({
    args: ["--log-level", "warn", "-o", "log.retention.check.interval.ms=10000"],
    env: {
      NODE_OPTIONS: `--import ${join(REPO_ROOT, "scripts/soak/loop-delay-preload.mjs")}`,
      LOGBOOK_GROUP_INITIAL_REBALANCE_DELAY_MS: "0",
    },
  });
  process.stdout.write(`soak: broker pid ${broker.pid} on ${broker.bootstrap}, ${minutes} min\n`);
  const kafka = new Kafka({
    clientId: "soak",
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const workload = new Workload(kafka);
  const samples: Sample[] = [];
  let failure: string | null = null;
  let prober: WireClient | undefined;
  try {
    await workload.start();
    prober = await WireClient.connect(broker.port);
    const t0 = Date.now();
    const end = t0 + minutes * 60_000;
    let prev = { produced: 0, consumed: 0 };
    process.stdout.write(
      "   t(s)  rss(MiB)  fds  loop-p99/max(ms)  probe(ms)  produced/s  consumed/s  errors\n",
    );
    while (Date.now() < end) {
      await sleep(1000);
      if (!broker.isAlive()) {
        failure = `the broker died:\n${broker.stderr().slice(-3000)}`;
        break;
      }
      const loop = lastLoopDelay(broker);
      const s: Sample = {
        t: (Date.now() - t0) / 1000,
        rssMib: await rssMib(broker.pid),
        fds: await openFds(broker.pid),
        loopP99: loop.p99,
        loopMax: loop.max,
        probeMs: await probe(prober),
        produced: workload.produced - prev.produced,
        consumed: workload.consumed - prev.consumed,
      };
      prev = { produced: workload.produced, consumed: workload.consumed };
      samples.push(s);
      process.stdout.write(
        `${s.t.toFixed(0).padStart(7)}  ${s.rssMib.toFixed(1).padStart(8)}  ${String(s.fds).padStart(3)}  ${`${s.loopP99}/${s.loopMax}`.padStart(16)}  ${s.probeMs.toFixed(2).padStart(9)}  ${String(s.produced).padStart(10)}  ${String(s.consumed).padStart(10)}  ${workload.errors}\n`,
      );
    }
  } catch (e) {
    failure = `the soak itself failed: ${String(e)}`;
  } finally {
    prober?.close();
    await workload.stop();
    if (broker.isAlive()) await broker.stop();
    await removeDir(broker.dataDir);
  }
  if (failure === null) failure = verdict(samples, workload);
  process.stdout.write(failure === null ? "soak: PASS\n" : `soak: FAIL: ${failure}\n`);
  return failure === null ? 0 : 1;
}

/** The leak and stall checks over the collected samples; null when all is well. */
function verdict(samples: Sample[], workload: Workload): string | null {
  const half = samples.slice(Math.floor(samples.length / 2));
  const rssSlope = slope(half.map((s) => ({ x: s.t / 60, y: s.rssMib })));
  const fdSlope = slope(half.map((s) => ({ x: s.t / 60, y: s.fds })));
  const tail = samples.slice(-10);
  process.stdout.write(
    `soak: ${workload.produced} produced, ${workload.consumed} consumed, ${workload.topicsCycled} topics created+deleted, ${workload.errors} client errors${workload.errors > 0 ? ` (last: ${workload.lastError})` : ""}\n`,
  );
  process.stdout.write(
    `soak: second half slopes: RSS ${rssSlope.toFixed(2)} MiB/min (limit ${RSS_SLOPE_LIMIT}), fds ${fdSlope.toFixed(2)}/min (limit ${FD_SLOPE_LIMIT})\n`,
  );
  if (samples.length < 20) return `only ${samples.length} samples: run at least a minute`;
  if (rssSlope > RSS_SLOPE_LIMIT) return `RSS grows ${rssSlope.toFixed(2)} MiB/min`;
  if (fdSlope > FD_SLOPE_LIMIT) return `open descriptors grow ${fdSlope.toFixed(2)}/min`;
  if (tail.every((s) => s.produced === 0)) return "production stalled for the last 10 s";
  if (tail.every((s) => s.consumed === 0)) return "consumption stalled for the last 10 s";
  return null;
}

process.exitCode = await main();
