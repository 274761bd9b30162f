/**
 * The three servers a bench run compares: Logbook (`logbook start`, through the
 * integration tests' process harness), the ceiling (bench/ceiling) and Apache Kafka
 * (integration-tests/helpers/kafka-process.ts), each on a free port with a fresh data
 * directory, plus an RSS sampler reading /proc/<pid>/status.
 */
import { spawn } from "node:child_process";
import { readdir, readFile, truncate } from "node:fs/promises";
import { join } from "node:path";
import {
  type BrokerProcess,
  removeDir,
  startBroker,
  tempDir,
} from "../../integration-tests/helpers/broker-process.js";
import {
  KAFKA_SCRIPT_JVM_FLAGS,
  startKafka,
} from "../../integration-tests/helpers/kafka-process.js";
import { REPO_ROOT } from "./paths.js";

/** The servers in the order of round 0; later rounds rotate it. */
export const TARGET_NAMES = ["ceiling", "logbook", "kafka"] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export interface Target {
  readonly name: TargetName;
  readonly bootstrap: string;
  readonly pid: number;
  stop(): Promise<void>;
  /** Frees the disk of topics no cell reads again, for a server without DeleteTopics. */
  freeTopics?(topics: readonly string[]): Promise<void>;
}

/** Overrides that keep bench rounds short; none of them touches the data path. */
const LOGBOOK_ARGS = ["--override", "group.initial.rebalance.delay.ms=0", "--log-level", "warn"];

export async function startLogbook(env: Record<string, string> = {}): Promise<Target> {
  const broker: BrokerProcess = await startBroker({ args: LOGBOOK_ARGS, env });
  return {
    name: "logbook",
    bootstrap: broker.bootstrap,
    pid: broker.pid,
    stop: async () => {
      await broker.stop();
      await removeDir(broker.dataDir);
    },
  };
}

/**
 * Kafka's JVM: the heap its start script gives it (kafka-server-start.sh sets -Xms1G
 * -Xmx1G), which also suits this 2-core, 24 GiB machine, and the script's GC flags.
 */
export const KAFKA_HEAP_MB = 1024;
export const KAFKA_JVM = {
  heap: `-Xms${KAFKA_HEAP_MB}m -Xmx${KAFKA_HEAP_MB}m`,
  flags: KAFKA_SCRIPT_JVM_FLAGS,
};
/**
 * Kafka's defaults except the one override Logbook gets too, and which the
 * server.properties Kafka ships sets as well; it only shortens group joins.
 */
const KAFKA_CONFIG = { "group.initial.rebalance.delay.ms": "0" };

export async function startKafkaTarget(): Promise<Target & { startMs: number }> {
  const kafka = await startKafka({
    heapMb: KAFKA_HEAP_MB,
    heapMinMb: KAFKA_HEAP_MB,
    jvmFlags: KAFKA_SCRIPT_JVM_FLAGS,
    config: KAFKA_CONFIG,
  });
  return {
    name: "kafka",
    bootstrap: kafka.bootstrap,
    pid: kafka.pid,
    startMs: kafka.startMs,
    stop: async () => {
      await kafka.stop();
    },
  };
}

const CEILING_READY = /^ceiling ready on (.+):(\d+)$/m;

export async function startCeiling(): Promise<Target> {
  const dataDir = await tempDir("logbook-ceiling-");
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(REPO_ROOT, "bench/ceiling/ceiling-server.ts"),
      "--port",
      "0",
      "--data-dir",
      dataDir,
    ],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] },
  );
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = CEILING_READY.exec(out);
      if (m !== null) resolve(Number(m[2]));
    });
    void exited.then(() => reject(new Error("the ceiling server exited before it was ready")));
  });
  return {
    name: "ceiling",
    bootstrap: `127.0.0.1:${port}`,
    pid: child.pid as number,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
      await removeDir(dataDir);
    },
    // The ceiling keeps every partition file open, so removing one would free nothing
    // until it exits; emptied, its blocks go back at once (a run writes tens of GB).
    freeTopics: async (topics) => {
      for (const topic of topics) {
        const dir = join(dataDir, topic);
        const names = await readdir(dir).catch(() => []);
        for (const name of names) await truncate(join(dir, name), 0);
      }
    },
  };
}

/** Resident set size in bytes (VmRSS), and its peak so far (VmHWM). */
export async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    return m === null ? Number.NaN : Number(m[1]) * 1024;
  };
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

/** Samples VmRSS every `everyMs` until stopped; returns the largest sample. */
export function sampleRss(pid: number, everyMs = 200): { stop(): Promise<number> } {
  let max = 0;
  const timer = setInterval(() => {
    memoryOf(pid).then(
      (m) => {
        if (m.rss > max) max = m.rss;
      },
      () => {},
    );
  }, everyMs);
  return {
    stop: async () => {
      clearInterval(timer);
      const last = await memoryOf(pid).catch(() => ({ rss: 0, peak: 0 }));
      return Math.max(max, last.rss);
    },
  };
}
