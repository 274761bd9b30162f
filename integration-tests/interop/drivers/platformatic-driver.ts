/**
 * Interop matrix driver for @platformatic/kafka, which needs Node.js >= 22.22: the test
 * runs it with a Node 22 binary, which strips the types itself (`node
 * platformatic-driver.ts SCENARIO BOOTSTRAP TOPIC [ARG]`; so: no enums, no parameter
 * properties, no relative imports). Runs one scenario of ../scenarios.ts and prints one
 * JSON line {"event": "result", "result": ...}; "version" prints the library's version.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import {
  Admin,
  Consumer,
  FetchIsolationLevels,
  type Message,
  Producer,
  stringDeserializers,
  stringSerializers,
} from "@platformatic/kafka";

type Scenario = (bootstrap: string, topic: string, extra: string[]) => Promise<unknown>;

const KEYS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"];
const SRC = "platformatic";
const GROUP_PARTITIONS = 4;
const TIMEOUT_MS = 30_000;

const base = (bootstrap: string) => ({
  clientId: "interop-platformatic",
  bootstrapBrokers: [bootstrap],
  retries: 5,
  retryDelay: 200,
});

const stringProducer = (bootstrap: string, extra: Record<string, unknown> = {}) =>
  new Producer({ ...base(bootstrap), serializers: stringSerializers, ...extra });

/** Buffers in and out, so a null value stays distinguishable from an empty one. */
const rawText = (b: Buffer | null | undefined) =>
  b === null || b === undefined ? null : b.toString();

interface Row {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

const row = (m: Message<Buffer, Buffer, Buffer, Buffer>): Row => ({
  partition: m.partition,
  offset: Number(m.offset),
  key: rawText(m.key),
  value: rawText(m.value),
  headers: Object.fromEntries([...m.headers].map(([k, v]) => [k.toString(), v.toString()])),
});

async function until(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let groups = 0;

interface ReadOptions {
  isolationLevel?: number;
  /** Default: a fresh group per read. */
  groupId?: string;
  /** More client options (security ones, for secure-roundtrip). */
  client?: Record<string, unknown>;
}

/** Reads `count` records from the beginning in a group (raw Buffers). */
async function read(
  bootstrap: string,
  topic: string,
  count: number,
  options: ReadOptions = {},
): Promise<Row[]> {
  const consumer = new Consumer({
    ...base(bootstrap),
    ...options.client,
    groupId: options.groupId ?? `read-${topic}-${groups++}`,
    maxWaitTime: 200,
    isolationLevel: options.isolationLevel ?? FetchIsolationLevels.READ_UNCOMMITTED,
  });
  const stream = await consumer.consume({ topics: [topic], mode: "earliest", autocommit: false });
  const rows: Row[] = [];
  stream.on("data", (m: Message<Buffer, Buffer, Buffer, Buffer>) => rows.push(row(m)));
  try {
    await until(`${count} records of ${topic}`, () => rows.length >= count);
  } finally {
    await stream.close();
    await consumer.close(true);
  }
  return rows;
}

const metadata: Scenario = async (bootstrap, topic) => {
  const admin = new Admin(base(bootstrap));
  try {
    const md = await admin.metadata({ topics: [topic] });
    return {
      brokers: [...md.brokers].map(([id, b]) => ({ id, host: b.host, port: b.port })),
      partitions: (md.topics.get(topic)?.partitions ?? []).map((p, partition) => ({
        partition,
        leader: p.leader,
      })),
    };
  } finally {
    await admin.close();
  }
};

const topicAdmin: Scenario = async (bootstrap, topic) => {
  const admin = new Admin(base(bootstrap));
  try {
    await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 });
    const listedAfterCreate = (await admin.listTopics()).includes(topic);
    const md = await admin.metadata({ topics: [topic], forceUpdate: true });
    await admin.deleteTopics({ topics: [topic] });
    return {
      partitions: md.topics.get(topic)?.partitionsCount ?? 0,
      listedAfterCreate,
      listedAfterDelete: (await admin.listTopics()).includes(topic),
    };
  } finally {
    await admin.close();
  }
};

const keyedHeaders: Scenario = async (bootstrap, topic) => {
  const p = stringProducer(bootstrap);
  for (let round = 0; round < 5; round++)
    await p.send({
      messages: KEYS.map((key) => ({
        topic,
        key,
        value: `${key}-${round}`,
        headers: { round: String(round), src: SRC },
      })),
    });
  await p.close();
  return read(bootstrap, topic, KEYS.length * 5);
};

const codec =
  (name: "gzip" | "snappy" | "lz4" | "zstd"): Scenario =>
  async (bootstrap, topic) => {
    const p = stringProducer(bootstrap);
    await p.send({
      compression: name,
      messages: Array.from({ length: 20 }, (_, i) => ({
        topic,
        partition: 0,
        key: `k${i % 5}`,
        value: `${name}-${i}-${"x".repeat(200)}`,
      })),
    });
    await p.close();
    return read(bootstrap, topic, 20);
  };

/** The classic group's timings; a KIP-848 group takes them from the broker. */
const CLASSIC_GROUP = { sessionTimeout: 6000, rebalanceTimeout: 10000, heartbeatInterval: 500 };

const group: Scenario = (bootstrap, topic) => groupPlan(bootstrap, topic, "g", CLASSIC_GROUP);
const groupConsumerProtocol: Scenario = (bootstrap, topic) =>
  groupPlan(bootstrap, topic, "gc", { groupProtocol: "consumer" });

/** The plan of ../scenarios.ts's group scenarios in group `groupId`, members made with `options`. */
async function groupPlan(
  bootstrap: string,
  topic: string,
  groupId: string,
  options: typeof CLASSIC_GROUP | { groupProtocol: "consumer" },
): Promise<unknown> {
  const p = stringProducer(bootstrap);
  const produce = (prefix: string, n: number) =>
    p.send({
      messages: Array.from({ length: GROUP_PARTITIONS }, (_, part) =>
        Array.from({ length: n }, (_, i) => ({
          topic,
          partition: part,
          value: `${prefix}-${part}-${i}`,
        })),
      ).flat(),
    });
  const out = {
    assignments: { a: [] as number[], b: [] as number[] },
    firstPhase: [] as string[],
    secondPhase: [] as string[],
    resumed: [] as string[],
    /**
     * "<member>:<partition>:<value>" of the records that arrived for a partition the
     * member no longer held (dropped, not committed): the evidence of the caveat.
     */
    stale: [] as string[],
    /**
     * "<member>:<partition>:<offset>" of records a member was handed again: on every group
     * join the client rewinds its positions to the committed offsets, so a Fetch answered
     * just before a join and committed asynchronously is read a second time (at-least-once).
     * A consumer application sees the same; it drops what it has processed already.
     */
    redelivered: [] as string[],
    /** The partitions moved again after the split was recorded (a later rebalance). */
    rebalancedAgain: false,
  };
  const held = (c: Consumer<string, string, string, string>) =>
    (c.assignments ?? []).filter((a) => a.topic === topic).flatMap((a) => a.partitions);
  let phase = 1;
  /** Highest offset each member has processed per partition ("<member>:<partition>"). */
  const seen = new Map<string, bigint>();
  const members: { consumer: Consumer<string, string, string, string>; close(): Promise<void> }[] =
    [];
  const member = async (name: "a" | "b" | "c") => {
    const consumer = new Consumer({
      ...base(bootstrap),
      groupId,
      deserializers: stringDeserializers,
      ...options,
      maxWaitTime: 200,
    });
    const stream = await consumer.consume({
      topics: [topic],
      mode: "committed",
      fallbackMode: "earliest",
      autocommit: false,
    });
    stream.on("data", (m: Message<string, string, string, string>) => {
      // The client hands over records of a Fetch sent before a rebalance even for the
      // partitions it has just lost; an application must drop those (Kafka's Java
      // consumer does it inside the client).
      if (!held(consumer).includes(m.partition)) {
        out.stale.push(`${name}:${m.partition}:${m.value ?? ""}`);
        return;
      }
      const key = `${name}:${m.partition}`;
      if ((seen.get(key) ?? -1n) >= m.offset) {
        out.redelivered.push(`${key}:${m.offset}`);
        return;
      }
      seen.set(key, m.offset);
      const v = m.value ?? "";
      if (name === "c") out.resumed.push(v);
      else if (phase === 1) out.firstPhase.push(v);
      else {
        const recorded = name === "a" || name === "b" ? out.assignments[name] : [];
        const now = held(consumer).sort();
        if (recorded.length > 0 && now.join() !== recorded.join()) out.rebalancedAgain = true;
        out.secondPhase.push(`${name}:${m.partition}:${v}`);
      }
      void m.commit();
    });
    const handle = {
      consumer,
      close: async () => {
        await stream.close();
        await consumer.close();
      },
    };
    members.push(handle);
    return handle;
  };
  try {
    await produce("one", 5);
    const a = await member("a");
    await until("a to read 20", () => out.firstPhase.length >= 20);
    phase = 2;
    const b = await member("b");
    await until("a and b to split the partitions", () => {
      const ha = held(a.consumer);
      const hb = held(b.consumer);
      return (
        ha.length > 0 &&
        hb.length > 0 &&
        new Set([...ha, ...hb]).size === GROUP_PARTITIONS &&
        ha.length + hb.length === GROUP_PARTITIONS
      );
    });
    out.assignments = { a: held(a.consumer).sort(), b: held(b.consumer).sort() };
    await produce("two", 5);
    await until("20 more", () => out.secondPhase.length >= 20);
    // Commits are sent per message without waiting; let the last ones land before leaving.
    await new Promise((r) => setTimeout(r, 500));
    await a.close();
    await b.close();
    await produce("three", 1);
    const c = await member("c");
    await until("c to read 4", () => out.resumed.length >= GROUP_PARTITIONS);
    await new Promise((r) => setTimeout(r, 500));
    await c.close();
    return out;
  } finally {
    await p.close();
  }
}

const offsetsByTime: Scenario = async (bootstrap, topic, [t0Text]) => {
  const t0 = Number(t0Text);
  const p = stringProducer(bootstrap);
  await p.send({
    messages: Array.from({ length: 10 }, (_, i) => ({
      topic,
      partition: 0,
      value: `t-${i}`,
      timestamp: BigInt(t0 + i * 1000),
    })),
  });
  await p.close();
  const consumer = new Consumer({
    ...base(bootstrap),
    groupId: "timed",
    deserializers: stringDeserializers,
    maxWaitTime: 200,
  });
  const found = await consumer.listOffsets({ topics: [topic], timestamp: BigInt(t0 + 4500) });
  const offset = found.get(topic)?.[0] ?? -1n;
  const stream = await consumer.consume({
    topics: [topic],
    mode: "manual",
    offsets: [{ topic, partition: 0, offset }],
    autocommit: false,
  });
  const values: string[] = [];
  stream.on("data", (m: Message<string, string, string, string>) => values.push(m.value ?? ""));
  try {
    await until("t-9", () => values.includes("t-9"));
  } finally {
    await stream.close();
    await consumer.close(true);
  }
  return { offset: Number(offset), values };
};

const idempotent: Scenario = async (bootstrap, topic) => {
  const p = stringProducer(bootstrap, { idempotent: true });
  for (const half of [0, 5])
    await p.send({
      messages: Array.from({ length: 5 }, (_, i) => ({
        topic,
        partition: 0,
        value: `i-${half + i}`,
      })),
    });
  await p.close();
  return read(bootstrap, topic, 10);
};

const transactions: Scenario = async (bootstrap, topic) => {
  const p = stringProducer(bootstrap, { idempotent: true, transactionalId: "platformatic-tx" });
  const inTxn = async (values: string[], commit: boolean) => {
    const tx = await p.beginTransaction();
    await tx.send({ messages: values.map((value) => ({ topic, partition: 0, value })) });
    await (commit ? tx.commit() : tx.abort());
  };
  await inTxn(["c-0", "c-1", "c-2"], true);
  await inTxn(["a-0", "a-1", "a-2"], false);
  await inTxn(["c-end"], true);
  await p.close();
  const rows = await read(bootstrap, topic, 4, {
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
  });
  return rows.map((r) => r.value);
};

const largeRecord: Scenario = async (bootstrap, topic) => {
  const big = "0123456789abcdef".repeat(1_000_000 / 16);
  const p = stringProducer(bootstrap);
  await p.send({ messages: [{ topic, partition: 0, value: big }] });
  await p.send({ messages: [{ topic, partition: 0, value: "after" }] });
  await p.close();
  const rows = await read(bootstrap, topic, 2);
  return {
    sizes: rows.map((r) => Buffer.byteLength(r.value ?? "")),
    sha256: createHash("sha256")
      .update(rows[0]?.value ?? "")
      .digest("hex"),
  };
};

const compacted: Scenario = async (bootstrap, topic) => {
  const pairs: [string, string | null][] = [
    ["k1", "v1"],
    ["k2", "v1"],
    ["k1", "v2"],
    ["k2", null],
    ["k3", "v1"],
  ];
  const p = new Producer(base(bootstrap));
  await p.send({
    messages: pairs.map(([k, v]) => ({
      topic,
      partition: 0,
      key: Buffer.from(k),
      ...(v === null ? {} : { value: Buffer.from(v) }),
    })),
  });
  await p.close();
  return read(bootstrap, topic, pairs.length);
};

async function version(): Promise<string> {
  const entry = fileURLToPath(import.meta.resolve("@platformatic/kafka"));
  const pkg = JSON.parse(await readFile(new URL("../package.json", `file://${entry}`), "utf8")) as {
    version: string;
  };
  return `@platformatic/kafka ${pkg.version} (Node.js ${process.versions.node})`;
}

/**
 * Client options from the environment contract of go/driverkit/secure.go
 * (SECURITY_PROTOCOL, SSL_CA_LOCATION, SASL_MECHANISM, SASL_USERNAME, SASL_PASSWORD).
 */
async function securityFromEnv(): Promise<Record<string, unknown>> {
  const env = process.env;
  const protocol = env.SECURITY_PROTOCOL ?? "PLAINTEXT";
  if (!["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"].includes(protocol))
    throw new Error(`unknown SECURITY_PROTOCOL ${protocol}`);
  const out: Record<string, unknown> = {};
  if (protocol.endsWith("SSL")) out.tls = { ca: await readFile(env.SSL_CA_LOCATION ?? "", "utf8") };
  if (protocol.startsWith("SASL_"))
    out.sasl = {
      mechanism: env.SASL_MECHANISM,
      username: env.SASL_USERNAME,
      password: env.SASL_PASSWORD,
    };
  return out;
}

interface ErrorTree {
  apiId?: unknown;
  code?: unknown;
  message?: unknown;
  errors?: unknown;
  cause?: unknown;
}

/** An error and all it wraps (`errors`, `cause`), outermost first. */
function flatten(e: unknown): ErrorTree[] {
  if (e === null || typeof e !== "object") return [];
  const o = e as ErrorTree;
  return [o, ...[...(Array.isArray(o.errors) ? o.errors : []), o.cause].flatMap(flatten)];
}

/**
 * The most specific name and text an error carries: the Kafka error a broker answered (a
 * ProtocolError's apiId) if any, else the innermost library code (PLT_KFK_NETWORK, ...).
 */
function refusal(e: unknown): { error: string; message: string } {
  const all = flatten(e);
  const kafka = all.find((x) => typeof x.apiId === "string");
  const innermost = all.filter((x) => typeof x.code === "string").at(-1);
  return {
    error: String(kafka?.apiId ?? innermost?.code ?? "OTHER"),
    message: all.map((x) => String(x.message ?? "")).join(" / "),
  };
}

/** security-matrix.test.ts: the secure-roundtrip contract of go/driverkit/secure.go. */
const secureRoundTrip: Scenario = async (bootstrap, topic, [groupId]) => {
  const client = await securityFromEnv();
  try {
    const admin = new Admin({ ...base(bootstrap), ...client });
    try {
      await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    } catch (e) {
      if (refusal(e).error !== "TOPIC_ALREADY_EXISTS") throw e;
    } finally {
      await admin.close();
    }
    const p = stringProducer(bootstrap, client);
    try {
      await p.send({ messages: [0, 1, 2].map((i) => ({ topic, partition: 0, value: `v${i}` })) });
    } finally {
      await p.close();
    }
    const rows = await read(bootstrap, topic, 3, { groupId, client });
    return { values: rows.map((r) => r.value) };
  } catch (e) {
    return refusal(e);
  }
};

const scenarios: Record<string, Scenario> = {
  metadata,
  "topic-admin": topicAdmin,
  "keyed-headers": keyedHeaders,
  "codec-gzip": codec("gzip"),
  "codec-snappy": codec("snappy"),
  "codec-lz4": codec("lz4"),
  "codec-zstd": codec("zstd"),
  group,
  "group-consumer-protocol": groupConsumerProtocol,
  "offsets-by-time": offsetsByTime,
  idempotent,
  transactions,
  "large-record": largeRecord,
  compacted,
  "secure-roundtrip": secureRoundTrip,
};

const [name, bootstrap, topic, ...extra] = process.argv.slice(2);
try {
  let result: unknown;
  if (name === "version") result = await version();
  else {
    const scenario = scenarios[name ?? ""];
    if (scenario === undefined || bootstrap === undefined || topic === undefined)
      throw new Error(`usage: platformatic-driver.ts SCENARIO BOOTSTRAP TOPIC (got ${name})`);
    result = await scenario(bootstrap, topic, extra);
  }
  process.stdout.write(`${JSON.stringify({ event: "result", result })}\n`);
  process.exit(0);
} catch (e) {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  if (e instanceof Error && e.cause !== undefined)
    process.stderr.write(`cause: ${String(e.cause)}\n`);
  process.exit(1);
}
