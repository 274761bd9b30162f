/**
 * Interop matrix, kcat column: Debian's kcat (librdkafka 2.0.2) run as a command line,
 * one process per step (-P to produce from stdin, -C -J to read JSON lines, -L -J for
 * metadata, -G for a balanced consumer group). .ci/run installs kcat.
 */
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { before } from "node:test";
import { killOnExit } from "../../scripts/kill-on-exit.js";
import { waitFor } from "../helpers/groups.js";
import { type DrivenEnv, drivenMatrix } from "./driven.js";
import type { ScenarioId } from "./matrix.js";
import {
  type ClientRecord,
  COMPACTED,
  COUNT_PER_CODEC,
  codecValue,
  GROUP_PARTITIONS,
  type GroupResult,
  KEYS,
  LOOKUP_DELTA_MS,
  largeValue,
  ROUNDS,
  sha256,
  TIMESTAMPED,
} from "./scenarios.js";

function kcat(args: string[], input?: string): string {
  const r = spawnSync("kcat", args, {
    input,
    encoding: "utf8",
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error !== undefined)
    assert.fail(`kcat could not run (${r.error.message}): install it with apt-get install kcat`);
  assert.equal(r.status, 0, `kcat ${args.join(" ")} failed:\n${r.stderr}`);
  return r.stdout;
}

interface KcatMessage {
  partition: number;
  offset: number;
  key: string | null;
  payload: string | null;
  headers?: string[];
}

const toRecord = (m: KcatMessage): ClientRecord => {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < (m.headers?.length ?? 0); i += 2)
    headers[m.headers?.[i] as string] = m.headers?.[i + 1] as string;
  return { partition: m.partition, offset: m.offset, key: m.key, value: m.payload, headers };
};

const parseLines = (out: string) =>
  out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as KcatMessage);

/** Everything in `topic` from `offset` (kcat's -o syntax) to the end, as JSON lines. */
const consume = (env: DrivenEnv, topic: string, offset = "beginning", extra: string[] = []) =>
  parseLines(
    kcat(["-C", "-b", env.broker.bootstrap, "-t", topic, "-o", offset, "-e", "-J", "-Z", ...extra]),
  ).map(toRecord);

const produce = (env: DrivenEnv, topic: string, lines: string[], args: string[] = []) =>
  kcat(["-P", "-b", env.broker.bootstrap, "-t", topic, ...args], `${lines.join("\n")}\n`);

/** A `kcat -G` balanced consumer in the background, tracking its messages and assignment. */
class GroupMember {
  readonly messages: KcatMessage[] = [];
  readonly held = new Set<number>();
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly exited: Promise<number | null>;
  private stderrText = "";

  constructor(env: DrivenEnv, topic: string) {
    this.child = killOnExit(
      spawn("kcat", [
        "-G",
        "g",
        "-b",
        env.broker.bootstrap,
        "-J",
        "-u", // unbuffered: each message as soon as it is read
        "-X",
        "auto.offset.reset=earliest",
        "-X",
        "auto.commit.interval.ms=100",
        "-X",
        "session.timeout.ms=6000",
        "-X",
        "heartbeat.interval.ms=500",
        topic,
      ]),
    );
    let out = "";
    this.child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const lines = out.split("\n");
      out = lines.pop() ?? "";
      this.messages.push(...parseLines(lines.join("\n")));
    });
    let err = "";
    this.child.stderr.on("data", (d: Buffer) => {
      this.stderrText += d.toString();
      err += d.toString();
      // "% Group g rebalanced (memberid …): assigned: grouped [0], grouped [1]" / revoked:
      // only whole lines: a chunk can end mid-line, and a partial match would lose the rest.
      for (;;) {
        const m = /rebalanced \(memberid [^)]*\): (assigned|revoked): ([^\n%]*)\n/.exec(err);
        if (m === null) break;
        err = err.slice((m.index ?? 0) + m[0].length);
        for (const p of (m[2] ?? "").matchAll(/\[(\d+)\]/g)) {
          if (m[1] === "assigned") this.held.add(Number(p[1]));
          else this.held.delete(Number(p[1]));
        }
      }
    });
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
  }

  stderr(): string {
    return this.stderrText.slice(-3000);
  }

  /** SIGTERM: kcat closes the consumer (final commit, LeaveGroup) and exits 0. */
  async close(): Promise<void> {
    this.child.kill("SIGTERM");
    const guard = setTimeout(() => this.child.kill("SIGKILL"), 30_000);
    const code = await this.exited;
    clearTimeout(guard);
    assert.equal(code, 0, `kcat -G exits cleanly:\n${this.stderr()}`);
  }
}

async function group(env: DrivenEnv, topic: string): Promise<GroupResult> {
  const produceAll = (prefix: string, n: number) => {
    for (let p = 0; p < GROUP_PARTITIONS; p++)
      produce(
        env,
        topic,
        Array.from({ length: n }, (_, i) => `${prefix}-${p}-${i}`),
        ["-p", String(p)],
      );
  };
  const admin = env.kafka.admin();
  await admin.connect();
  const committedAt = async (offset: number) => {
    const r = await admin.fetchOffsets({ groupId: "g", topics: [topic] });
    return (r[0]?.partitions ?? []).filter((p) => Number(p.offset) === offset).length === 4;
  };
  const members: GroupMember[] = [];
  try {
    produceAll("one", 5);
    const a = new GroupMember(env, topic);
    members.push(a);
    await waitFor(
      "a to read 20",
      () => a.messages.length >= 20,
      30_000,
      () => a.stderr(),
    );
    await waitFor("a's auto-commit at 5", () => committedAt(5));
    const firstPhase = a.messages.map((m) => m.payload ?? "");
    const aBefore = a.messages.length;
    const b = new GroupMember(env, topic);
    members.push(b);
    const split = () =>
      a.held.size > 0 &&
      b.held.size > 0 &&
      new Set([...a.held, ...b.held]).size === GROUP_PARTITIONS &&
      a.held.size + b.held.size === GROUP_PARTITIONS;
    await waitFor("a and b to split the partitions", split, 45_000, () => [
      [...a.held],
      [...b.held],
      b.stderr(),
    ]);
    const assignments = { a: [...a.held].sort(), b: [...b.held].sort() };
    produceAll("two", 5);
    const second = () => [
      ...a.messages.slice(aBefore).map((m) => `a:${m.partition}:${m.payload}`),
      ...b.messages.map((m) => `b:${m.partition}:${m.payload}`),
    ];
    await waitFor("20 more", () => second().length >= 20, 30_000, second);
    await waitFor("commits at 10", () => committedAt(10));
    const secondPhase = second();
    await a.close();
    await b.close();
    produceAll("three", 1);
    const c = new GroupMember(env, topic);
    members.push(c);
    await waitFor(
      "c to read 4",
      () => c.messages.length >= 4,
      30_000,
      () => c.stderr(),
    );
    await waitFor("c's commits", () => committedAt(11));
    await c.close();
    return {
      assignments,
      firstPhase,
      secondPhase,
      resumed: c.messages.map((m) => m.payload ?? ""),
    };
  } finally {
    for (const m of members) await m.close().catch(() => {});
    await admin.disconnect();
  }
}

async function run(env: DrivenEnv, scenario: ScenarioId, topic: string, extra: string[]) {
  const b = env.broker.bootstrap;
  switch (scenario) {
    case "metadata": {
      const md = JSON.parse(kcat(["-L", "-J", "-b", b, "-t", topic])) as {
        brokers: { id: number; name: string }[];
        topics: { topic: string; partitions: { partition: number; leader: number }[] }[];
      };
      return {
        brokers: md.brokers.map((x) => {
          const [host, port] = x.name.split(":");
          return { id: x.id, host, port: Number(port) };
        }),
        partitions: (md.topics[0]?.partitions ?? []).map((p) => ({
          partition: p.partition,
          leader: p.leader,
        })),
      };
    }
    case "keyed-headers":
      for (let round = 0; round < ROUNDS; round++)
        produce(
          env,
          topic,
          KEYS.map((k) => `${k}:${k}-${round}`),
          ["-K:", "-H", `round=${round}`, "-H", "src=kcat"],
        );
      return consume(env, topic);
    case "codec-gzip":
    case "codec-snappy":
    case "codec-lz4":
    case "codec-zstd": {
      const codec = scenario.slice("codec-".length) as "gzip";
      produce(
        env,
        topic,
        Array.from({ length: COUNT_PER_CODEC }, (_, i) => `k${i % 5}:${codecValue(codec, i)}`),
        ["-K:", "-p", "0", "-z", codec, "-X", "linger.ms=50"],
      );
      return consume(env, topic);
    }
    case "group":
      return group(env, topic);
    case "offsets-by-time": {
      // kcat's producer cannot set a record's timestamp: kafkajs writes the stamped records.
      const t0 = Number(extra[0]);
      const p = env.kafka.producer();
      await p.connect();
      await p.send({
        topic,
        acks: -1,
        messages: Array.from({ length: TIMESTAMPED }, (_, i) => ({
          value: `t-${i}`,
          timestamp: String(t0 + i * 1000),
        })),
      });
      await p.disconnect();
      const records = consume(env, topic, `s@${t0 + LOOKUP_DELTA_MS}`);
      return { offset: records[0]?.offset ?? -1, values: records.map((r) => r.value) };
    }
    case "idempotent":
      produce(
        env,
        topic,
        Array.from({ length: 10 }, (_, i) => `i-${i}`),
        ["-p", "0", "-X", "enable.idempotence=true"],
      );
      return consume(env, topic);
    case "transactions": {
      // Each run's whole input is one transaction, committed at the end of the input.
      const txn = ["-p", "0", "-X", "transactional.id=kcat-tx"];
      produce(env, topic, ["c-0", "c-1", "c-2"], txn);
      produce(env, topic, ["c-end"], txn);
      return consume(env, topic, "beginning", ["-X", "isolation.level=read_committed"]).map(
        (r) => r.value,
      );
    }
    case "large-record": {
      const size = ["-p", "0", "-X", "message.max.bytes=2000000"];
      produce(env, topic, [largeValue()], size);
      produce(env, topic, ["after"], size);
      const records = consume(env, topic);
      return {
        sizes: records.map((r) => Buffer.byteLength(r.value ?? "")),
        sha256: sha256(records[0]?.value ?? ""),
      };
    }
    case "compacted":
      // -Z: an empty value is sent as null (a tombstone) and a null value printed as null.
      produce(
        env,
        topic,
        COMPACTED.map(([k, v]) => `${k}:${v ?? ""}`),
        ["-K:", "-Z", "-p", "0"],
      );
      return consume(env, topic);
    default:
      throw new Error(`kcat has no driver for ${scenario}`);
  }
}

before(() => {
  kcat(["-V"]);
});

drivenMatrix({
  client: "kcat",
  src: "kcat",
  version: async () => {
    const v = /Version (\S+) .*librdkafka (\S+)/.exec(kcat(["-V"]));
    return v === null ? "kcat (unknown version)" : `kcat ${v[1]}, librdkafka ${v[2]}`;
  },
  run,
  aborts: false,
  notSupported: {
    "group-consumer-protocol": {
      reason:
        "kcat 1.7.1 is built on librdkafka 2.0.2, which predates KIP-848 (librdkafka 2.12 serves group.protocol=consumer): it has no group.protocol property",
      probe: async () => {
        const r = spawnSync(
          "kcat",
          ["-X", "group.protocol=consumer", "-b", "127.0.0.1:1", "-G", "g", "t"],
          { encoding: "utf8", timeout: 30_000 },
        );
        assert.match(`${r.stdout}${r.stderr}`, /No such configuration property: "group.protocol"/);
      },
    },
    "share-group": {
      reason: "kcat has no share-group mode (KIP-932): it consumes only as a classic group member",
      probe: async () => {
        const help = spawnSync("kcat", ["-h"], { encoding: "utf8" });
        const usage = `${help.stdout}${help.stderr}`;
        assert.match(usage, /-G <group-id>/);
        assert.doesNotMatch(usage, /share/i);
      },
    },
    "topic-admin": {
      reason:
        "kcat has no admin commands: it lists metadata (-L) but cannot create or delete topics",
      probe: async () => {
        const help = spawnSync("kcat", ["-h"], { encoding: "utf8" });
        const usage = `${help.stdout}${help.stderr}`;
        assert.match(
          usage,
          /-C \| -P \| -L \| -Q\s+Mode: Consume, Produce, Metadata List, Query mode/,
        );
        assert.doesNotMatch(usage, /create topic|delete topic|-X\s+create/i);
      },
    },
  },
  caveats: {
    "offsets-by-time":
      "kcat's producer cannot set record timestamps, so kafkajs writes the stamped records; kcat looks the offset up and starts there (-o s@<ms>)",
    transactions:
      "commit only: kcat produces each run's input as one transaction (-X transactional.id) and cannot abort one",
  },
});
