/**
 * Starts Apache Kafka itself (the reference, resolved by scripts/kafka/pom.xml) as a
 * single KRaft node, broker and controller in one process, on free ports with a
 * temporary data directory, and stops it. The JVM's first start here takes about 3 s
 * to the first answered Metadata request, formatting included; share one Kafka per
 * test file.
 *
 * `runKafkaTool` runs one of Kafka's command-line tools (a main class on the same
 * classpath) the way its shell script would.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createMetadataRequest, MetadataApi } from "@logbook/protocol";
import { KAFKA_LOG4J, kafkaClasspath as resolveClasspath } from "../../scripts/kafka/classpath.mjs";
import { killOnExit } from "../../scripts/kill-on-exit.js";
import { removeDir, tempDir } from "./broker-process.js";
import { freePort } from "./free-port.js";
import { type ProcessResult, runProcess } from "./run-process.js";
import { WireClient } from "./wire-client.js";

/** The Kafka version pom.xml resolves. */
export const KAFKA_VERSION = "4.4.0";

/** A guard against a hung start, not an assertion. */
const START_GUARD_MS = 90_000;

export interface KafkaProcess {
  readonly host: string;
  readonly port: number;
  /** "127.0.0.1:PORT", for client bootstrap lists. */
  readonly bootstrap: string;
  readonly dataDir: string;
  readonly pid: number;
  /** How long the start took, format included (ms). */
  readonly startMs: number;
  stdout(): string;
  stderr(): string;
  isAlive(): boolean;
  /** SIGTERM, wait for the exit, remove the data directory; returns the exit code. */
  stop(): Promise<number | null>;
}

export interface KafkaStartOptions {
  /** Extra or overriding server.properties entries. */
  config?: Record<string, string>;
  /** JVM heap in MiB (default 512). */
  heapMb?: number;
  /** JVM initial heap in MiB (default: heapMb, at most 256). */
  heapMinMb?: number;
  /**
   * JVM flags in place of TEST_JVM_FLAGS, e.g. KAFKA_SCRIPT_JVM_FLAGS for a benchmark,
   * where the tests' fast-start flags would slow the broker down.
   */
  jvmFlags?: readonly string[];
  /** The cluster id to format with (default: a random one). */
  clusterId?: string;
  /**
   * More listeners on 127.0.0.1 besides PLAINTEXT (e.g. an SSL one), advertised as they
   * are unless `advertised` is false.
   */
  extraListeners?: { name: string; protocol: string; port: number; advertised?: false }[];
  /** JVM system properties (-Dname=value), e.g. org.apache.kafka.sasl.oauthbearer.allowed.urls. */
  systemProperties?: Record<string, string>;
}

let classpath: string | undefined;

/** Kafka's runtime classpath (resolved with Maven on first use, then cached). */
export function kafkaClasspath(): string {
  classpath ??= resolveClasspath() as string;
  return classpath;
}

export { freePort };

/**
 * A cluster id as Kafka's `random-uuid` makes them: 16 random bytes, base64url. One in
 * 64 would start with "-", which kafka-storage's option parser takes for a flag.
 */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/** Serial GC and the C1 compiler only: the JVM starts fastest, which is what tests want. */
export const TEST_JVM_FLAGS: readonly string[] = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"];

/**
 * The JVM flags Kafka's own start script (bin/kafka-run-class.sh) uses by default on a
 * current JDK: G1 with short pause goals.
 */
export const KAFKA_SCRIPT_JVM_FLAGS: readonly string[] = [
  "-server",
  "-XX:+UseG1GC",
  "-XX:MaxGCPauseMillis=20",
  "-XX:InitiatingHeapOccupancyPercent=35",
  "-XX:+ExplicitGCInvokesConcurrent",
];

interface JvmOptions {
  heapMb: number;
  heapMinMb?: number;
  flags?: readonly string[];
  systemProperties?: Record<string, string>;
}

function javaArgs(jvm: JvmOptions, mainClass: string, args: readonly string[]): string[] {
  return [
    ...Object.entries(jvm.systemProperties ?? {}).map(([k, v]) => `-D${k}=${v}`),
    `-Xmx${jvm.heapMb}m`,
    `-Xms${jvm.heapMinMb ?? Math.min(jvm.heapMb, 256)}m`,
    ...(jvm.flags ?? TEST_JVM_FLAGS),
    "-Djava.awt.headless=true",
    `-Dlog4j2.configurationFile=${KAFKA_LOG4J}`,
    "-cp",
    kafkaClasspath(),
    mainClass,
    ...args,
  ];
}

export type ToolResult = ProcessResult;

/** Runs `java MAIN ARGS` on Kafka's classpath and resolves once it has exited. */
export async function runKafkaTool(
  mainClass: string,
  args: readonly string[],
  opts: { input?: string; timeoutMs?: number; heapMb?: number } = {},
): Promise<ToolResult> {
  return runProcess("java", javaArgs({ heapMb: opts.heapMb ?? 256 }, mainClass, args), {
    input: opts.input ?? "",
    timeoutMs: opts.timeoutMs ?? 120_000,
  });
}

/** Tries with fresh ports when another process took one of them meanwhile. */
const BIND_ATTEMPTS = 3;

export async function startKafka(opts: KafkaStartOptions = {}): Promise<KafkaProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startKafkaOnce(opts);
    } catch (e) {
      // The ports are picked free before the storage is formatted (a JVM start): seconds
      // in which a broker of another test file, listening on port 0, can be given one.
      const lostPort = e instanceof Error && e.message.includes("Address already in use");
      if (!lostPort || attempt >= BIND_ATTEMPTS) throw e;
    }
  }
}

async function startKafkaOnce(opts: KafkaStartOptions): Promise<KafkaProcess> {
  const began = Date.now();
  const dir = await tempDir("logbook-kafka-");
  const port = await freePort();
  const controllerPort = await freePort();
  const extra = opts.extraListeners ?? [];
  const props: Record<string, string> = {
    "process.roles": "broker,controller",
    "node.id": "1",
    "controller.quorum.voters": `1@127.0.0.1:${controllerPort}`,
    listeners: [
      `PLAINTEXT://127.0.0.1:${port}`,
      `CONTROLLER://127.0.0.1:${controllerPort}`,
      ...extra.map((l) => `${l.name}://127.0.0.1:${l.port}`),
    ].join(","),
    "advertised.listeners": [
      `PLAINTEXT://127.0.0.1:${port}`,
      ...extra.filter((l) => l.advertised !== false).map((l) => `${l.name}://127.0.0.1:${l.port}`),
    ].join(","),
    "controller.listener.names": "CONTROLLER",
    "listener.security.protocol.map": [
      "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
      ...extra.map((l) => `${l.name}:${l.protocol}`),
    ].join(","),
    "inter.broker.listener.name": "PLAINTEXT",
    "log.dirs": join(dir, "data"),
    // One node: internal topics cannot have more replicas than that.
    "offsets.topic.replication.factor": "1",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "share.coordinator.state.topic.replication.factor": "1",
    "share.coordinator.state.topic.min.isr": "1",
    ...opts.config,
  };
  const propsFile = join(dir, "server.properties");
  await writeFile(
    propsFile,
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n"),
  );
  const id = opts.clusterId ?? clusterId();
  const format = await runKafkaTool("kafka.tools.StorageTool", [
    "format",
    "-t",
    id,
    "-c",
    propsFile,
  ]);
  if (format.code !== 0) {
    await removeDir(dir);
    throw new Error(`kafka-storage format failed (${format.code}):\n${format.stderr}`);
  }
  const child = killOnExit(
    spawn(
      "java",
      javaArgs(
        {
          heapMb: opts.heapMb ?? 512,
          heapMinMb: opts.heapMinMb,
          flags: opts.jvmFlags,
          systemProperties: opts.systemProperties,
        },
        "kafka.Kafka",
        [propsFile],
      ),
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    ),
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const code = await exited;
    await removeDir(dir);
    return code;
  };
  try {
    await waitReady(child, port, id, () => err);
  } catch (e) {
    child.kill("SIGKILL");
    await exited;
    await removeDir(dir);
    throw e;
  }
  return {
    host: "127.0.0.1",
    port,
    bootstrap: `127.0.0.1:${port}`,
    dataDir: dir,
    pid: child.pid as number,
    startMs: Date.now() - began,
    stdout: () => out,
    stderr: () => err,
    isAlive: () => child.exitCode === null && child.signalCode === null,
    stop,
  };
}

/**
 * Ready = a Metadata request answered with this broker in it, by this cluster (not by
 * another test's server that was given the port Kafka failed to bind).
 */
async function waitReady(
  child: ChildProcess,
  port: number,
  clusterId: string,
  stderr: () => string,
): Promise<void> {
  const deadline = Date.now() + START_GUARD_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`kafka exited (${child.exitCode}):\n${stderr()}`);
    try {
      const c = await WireClient.connect(port);
      try {
        const r = await c.request(MetadataApi, 12, createMetadataRequest({ topics: [] }));
        if (r.body.brokers.length > 0 && r.body.clusterId === clusterId) return;
      } finally {
        c.close();
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`kafka did not answer Metadata within ${START_GUARD_MS} ms:\n${stderr()}`);
}
