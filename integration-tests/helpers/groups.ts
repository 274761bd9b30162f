/**
 * Shared pieces of the consumer-group integration tests (groups-*.test.ts): kafkajs
 * clients, bounded waits, topic set-up, a recorder of the assignments each kafkajs member
 * received per generation, and child processes (Python clients, a kafkajs member that
 * can be SIGKILLed) that print one JSON object per line.
 */
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { type Consumer, type ConsumerConfig, Kafka, type LogEntry, logLevel } from "kafkajs";
import { killOnExit } from "../../scripts/kill-on-exit.js";
import { REPO_ROOT, type StartOptions } from "./broker-process.js";

/** The Debian python that has python3-confluent-kafka and python3-kafka (see .ci/run). */
export const PYTHON = "/usr/bin/python3";
export const PYTHON_DIR = join(REPO_ROOT, "integration-tests/python");

/**
 * Broker options for every group test: no initial rebalance delay (Kafka's default is
 * 3 s). Given as an environment variable, which the broker reads only for settings it
 * knows (an unknown `-o` property would stop the start).
 */
export const GROUP_BROKER: StartOptions = {
  env: { LOGBOOK_GROUP_INITIAL_REBALANCE_DELAY_MS: "0" },
};

/** Fast-reacting kafkajs consumer settings (6000 ms is the broker's minimum session timeout). */
export const FAST_CONSUMER: Omit<ConsumerConfig, "groupId"> = {
  sessionTimeout: 6000,
  rebalanceTimeout: 10000,
  heartbeatInterval: 500,
  maxWaitTimeInMs: 250,
  retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
};

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `cond` every 100 ms until it holds; fails after `timeoutMs` with `what` and the
 * current state from `state()` (a guard against hangs, not a timing assertion).
 */
export async function waitFor(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  state: () => unknown = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) {
      const s = state();
      assert.fail(
        `timed out after ${timeoutMs} ms waiting for ${what}${s === undefined ? "" : `\nstate: ${JSON.stringify(s, null, 1)}`}`,
      );
    }
    await sleep(100);
  }
}

/** One member's assignment as kafkajs reported it, with the generation it came from. */
export interface JoinRecord {
  seq: number;
  member: string;
  memberId: string;
  generationId: number;
  partitions: number[];
}

/**
 * Records every GROUP_JOIN instrumentation event (memberAssignment) of the consumers
 * attached to it. kafkajs's GROUP_JOIN payload has no generation id, so the recorder also
 * reads kafkajs's debug log line "Received assignment" (memberId, generationId), emitted
 * just before GROUP_JOIN by the same join, to tag each record with its generation.
 */
export class AssignmentRecorder {
  readonly joins: JoinRecord[] = [];
  private readonly generationOf = new Map<string, number>();
  private seq = 0;

  constructor(readonly topic: string) {}

  /** A kafkajs client whose log feeds this recorder (and prints nothing). */
  kafka(bootstrap: string, clientId = "logbook-groups-it"): Kafka {
    return new Kafka({
      clientId,
      brokers: [bootstrap],
      logLevel: logLevel.DEBUG,
      logCreator: () => (entry: LogEntry) => {
        const log = entry.log as Record<string, unknown>;
        if (log.message === "Received assignment" && typeof log.memberId === "string")
          this.generationOf.set(log.memberId, Number(log.generationId));
      },
      retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
    });
  }

  attach(member: string, consumer: Consumer): void {
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const { memberId, memberAssignment } = e.payload;
      this.joins.push({
        seq: this.seq++,
        member,
        memberId,
        generationId: this.generationOf.get(memberId) ?? -1,
        partitions: [...(memberAssignment[this.topic] ?? [])].sort((a, b) => a - b),
      });
    });
  }

  /** Sequence number the next record will get (to wait for joins after some point). */
  mark(): number {
    return this.seq;
  }

  latest(member: string): JoinRecord | undefined {
    for (let i = this.joins.length - 1; i >= 0; i--) {
      const j = this.joins[i] as JoinRecord;
      if (j.member === member) return j;
    }
    return undefined;
  }

  /**
   * True when every member in `members` joined after `since`, all in one generation, and
   * their assignments together cover partitions 0..partitions-1 exactly once.
   */
  settled(members: string[], partitions: number, since: number): boolean {
    const latest = members.map((m) => this.latest(m));
    if (latest.some((j) => j === undefined || j.seq < since)) return false;
    const gens = new Set(latest.map((j) => j?.generationId));
    if (gens.size !== 1) return false;
    const all = latest.flatMap((j) => j?.partitions ?? []).sort((a, b) => a - b);
    return JSON.stringify(all) === JSON.stringify(Array.from({ length: partitions }, (_, i) => i));
  }

  /** Within each generation, no partition was given to two members. */
  assertNoOverlapPerGeneration(): void {
    const byGen = new Map<number, Map<number, string>>();
    for (const j of this.joins) {
      assert.notEqual(j.generationId, -1, `no generation id seen for ${j.member} (${j.memberId})`);
      const owners = byGen.get(j.generationId) ?? new Map<number, string>();
      byGen.set(j.generationId, owners);
      for (const p of j.partitions) {
        const other = owners.get(p);
        assert.ok(
          other === undefined || other === j.member,
          `generation ${j.generationId}: partition ${p} assigned to both ${other} and ${j.member}\n${JSON.stringify(this.joins)}`,
        );
        owners.set(p, j.member);
      }
    }
  }

  async waitSettled(members: string[], partitions: number, since: number, what: string) {
    await waitFor(
      `${what}: members ${members.join(",")} to settle on one generation covering ${partitions} partitions`,
      () => this.settled(members, partitions, since),
      45_000,
      () => this.joins.slice(-12),
    );
    return members.map((m) => this.latest(m) as JoinRecord);
  }
}

export async function createTopic(kafka: Kafka, topic: string, numPartitions: number) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions }] }), true);
  } finally {
    await admin.disconnect();
  }
}

/** Produces `count` values "<prefix>-<p>-<i>" to each partition 0..partitions-1. */
export async function producePerPartition(
  kafka: Kafka,
  topic: string,
  partitions: number,
  count: number,
  prefix = "v",
): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let p = 0; p < partitions; p++)
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: count }, (_, i) => ({
          partition: p,
          value: `${prefix}-${p}-${i}`,
        })),
      });
  } finally {
    await producer.disconnect();
  }
}

/** Fails with the installation hint when the Debian python lacks a client module. */
export function requirePythonModule(module: "confluent_kafka" | "kafka"): void {
  const r = spawnSync(PYTHON, ["-c", `import ${module}`], { encoding: "utf8", timeout: 30_000 });
  if (r.error !== undefined || r.status !== 0) {
    const pkg = module === "kafka" ? "python3-kafka" : "python3-confluent-kafka";
    assert.fail(
      `${PYTHON} cannot import ${module} (${r.error?.message ?? r.stderr.trim()}): install ${pkg} with apt-get (.ci/run installs it)`,
    );
  }
}

export type JsonLine = Record<string, unknown> & { event: string };

/**
 * A child process that prints one JSON object per line (an "event" field each). Commands
 * can be written to its stdin; it is killed by `kill()` or when the test ends.
 */
export class JsonLinesProcess {
  readonly lines: JsonLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderrText = "";
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    extraEnv: Record<string, string> = {},
  ) {
    const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: "1", ...extraEnv };
    delete env.NODE_TEST_CONTEXT;
    this.child = killOnExit(
      spawn(command, args, { cwd: REPO_ROOT, env, stdio: ["pipe", "pipe", "pipe"] }),
    );
    let buf = "";
    this.child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line.startsWith("{")) {
          try {
            this.lines.push(JSON.parse(line) as JsonLine);
          } catch {
            this.stderrText += `(unparsable stdout line) ${line}\n`;
          }
        }
        nl = buf.indexOf("\n");
      }
    });
    this.child.stderr.on("data", (d: Buffer) => {
      this.stderrText += d.toString();
    });
    this.child.stdin.on("error", () => {});
    this.exited = new Promise((resolve) =>
      this.child.on("exit", (code, signal) => resolve({ code, signal })),
    );
  }

  static python(name: string, script: string, args: string[]): JsonLinesProcess {
    return new JsonLinesProcess(name, PYTHON, [join(PYTHON_DIR, script), ...args]);
  }

  get pid(): number {
    return this.child.pid as number;
  }

  stderr(): string {
    return this.stderrText.slice(-4000);
  }

  alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  send(command: string): void {
    if (this.alive()) this.child.stdin.write(`${command}\n`);
  }

  events(event: string): JsonLine[] {
    return this.lines.filter((l) => l.event === event);
  }

  /** Waits for a line matching `pred`, failing early if the process exits first. */
  async waitLine(what: string, pred: (l: JsonLine) => boolean, timeoutMs = 45_000) {
    await waitFor(
      `${this.name}: ${what}`,
      () => {
        if (this.lines.some(pred)) return true;
        if (!this.alive())
          assert.fail(
            `${this.name} exited before ${what}; lines: ${JSON.stringify(this.lines.slice(-10))}\nstderr:\n${this.stderr()}`,
          );
        return false;
      },
      timeoutMs,
      () => ({ lines: this.lines.slice(-10), stderr: this.stderr() }),
    );
    return this.lines.find(pred) as JsonLine;
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    if (this.alive()) this.child.kill(signal);
  }

  /** Waits for the exit (killing after `timeoutMs`); returns the exit code. */
  async done(timeoutMs = 60_000): Promise<number | null> {
    const guard = setTimeout(() => this.kill(), timeoutMs);
    const { code, signal } = await this.exited;
    clearTimeout(guard);
    if (signal !== null && code === null) return null;
    return code;
  }
}

/** Runs a Python script to completion; fails on a non-zero exit with its stderr. */
export async function runPython(script: string, args: string[], timeoutMs = 90_000) {
  const p = JsonLinesProcess.python(script, script, args);
  const code = await p.done(timeoutMs);
  assert.equal(
    code,
    0,
    `${script} ${args.join(" ")} exited with ${code}; lines: ${JSON.stringify(p.lines.slice(-10))}\nstderr:\n${p.stderr()}`,
  );
  return p.lines;
}
