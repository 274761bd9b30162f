/**
 * Interop matrix, kafkajs 2.2.4 column: every scenario of scenarios.ts run in-process
 * against one `logbook start` and against the reference Kafka (targets.ts), with
 * kafkajs's own admin, producer and consumers.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { after, before } from "node:test";
import { CompressionTypes, type Consumer, type Kafka, type KafkaMessage } from "kafkajs";
import { FAST_CONSUMER, waitFor } from "../helpers/groups.js";
import { registerKafkajsCodecs } from "../helpers/kafkajs-codecs.js";
import { Matrix } from "./matrix.js";
import {
  type ClientRecord,
  CODECS,
  COMPACTED,
  COUNT_PER_CODEC,
  checkCodec,
  checkCompacted,
  checkGroup,
  checkIdempotent,
  checkKeyed,
  checkLarge,
  checkMetadata,
  checkOffsetsByTime,
  checkTopicAdmin,
  checkTransactions,
  codecValue,
  createTopics,
  GROUP_PARTITIONS,
  type GroupResult,
  KEYED_PARTITIONS,
  KEYS,
  LOOKUP_DELTA_MS,
  largeValue,
  ROUNDS,
  sha256,
  TIMESTAMPED,
} from "./scenarios.js";
import {
  setupClient,
  startTargets,
  stopTargets,
  TARGETS,
  type TargetBroker,
  type TargetName,
  type Targets,
} from "./targets.js";

const matrix = new Matrix("kafkajs");
const targets: Partial<Targets> = {};
/** The broker of the test running now and a kafkajs client of it. */
interface Env {
  broker: TargetBroker;
  kafka: Kafka;
}
const envs = {} as Record<TargetName, Env>;
const consumers: Consumer[] = [];

before(async () => {
  const pkg = createRequire(import.meta.url).resolve("kafkajs/package.json");
  matrix.version = `kafkajs ${(JSON.parse(await readFile(pkg, "utf8")) as { version: string }).version}`;
  registerKafkajsCodecs();
  Object.assign(targets, await startTargets());
  for (const t of TARGETS) {
    const broker = targets[t] as TargetBroker;
    envs[t] = { broker, kafka: setupClient(broker, "interop-kafkajs") };
  }
});
after(async () => {
  await Promise.allSettled(consumers.map((c) => c.disconnect()));
  await matrix.save();
  await stopTargets(targets);
});

const toRecord = (partition: number, m: KafkaMessage): ClientRecord => ({
  partition,
  offset: Number(m.offset),
  key: m.key === null ? null : m.key.toString(),
  value: m.value === null ? null : m.value.toString(),
  headers: Object.fromEntries(
    Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v?.toString() ?? "")]),
  ),
});

let groups = 0;
/** Reads `count` records of `topic` from the beginning with a fresh group. */
async function readRecords(kafka: Kafka, topic: string, count: number, readUncommitted = false) {
  const c = kafka.consumer({
    groupId: `read-${topic}-${groups++}`,
    readUncommitted,
    ...FAST_CONSUMER,
  });
  consumers.push(c);
  const seen: ClientRecord[] = [];
  await c.connect();
  await c.subscribe({ topic, fromBeginning: true });
  await c.run({
    eachMessage: async ({ partition, message }) => {
      seen.push(toRecord(partition, message));
    },
  });
  await waitFor(
    `${count} records of ${topic}`,
    () => seen.length >= count,
    30_000,
    () => seen,
  );
  await c.disconnect();
  return seen;
}

async function send(
  kafka: Kafka,
  topic: string,
  messages: { key?: string; value: string | null }[],
) {
  const p = kafka.producer();
  await p.connect();
  try {
    await p.send({ topic, acks: -1, messages });
  } finally {
    await p.disconnect();
  }
}

matrix.cell("metadata", async (target) => {
  const { broker, kafka } = envs[target];
  await createTopics(kafka, [{ topic: "md", numPartitions: 3 }]);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    const md = await admin.fetchTopicMetadata({ topics: ["md"] });
    checkMetadata(
      {
        brokers: cluster.brokers.map((b) => ({ id: b.nodeId, host: b.host, port: b.port })),
        partitions: (md.topics[0]?.partitions ?? []).map((p) => ({
          partition: p.partitionId,
          leader: p.leader,
        })),
      },
      broker,
      3,
    );
  } finally {
    await admin.disconnect();
  }
});

matrix.cell("topic-admin", async (target) => {
  const { kafka } = envs[target];
  const admin = kafka.admin();
  await admin.connect();
  try {
    assert.equal(await admin.createTopics({ topics: [{ topic: "made", numPartitions: 3 }] }), true);
    const md = await admin.fetchTopicMetadata({ topics: ["made"] });
    const listedAfterCreate = (await admin.listTopics()).includes("made");
    await admin.deleteTopics({ topics: ["made"] });
    await checkTopicAdmin(
      {
        partitions: md.topics[0]?.partitions.length ?? 0,
        listedAfterCreate,
        listedAfterDelete: (await admin.listTopics()).includes("made"),
      },
      target,
      kafka,
      "made",
    );
  } finally {
    await admin.disconnect();
  }
});

matrix.cell("keyed-headers", async (target) => {
  const { kafka } = envs[target];
  await createTopics(kafka, [{ topic: "keyed", numPartitions: KEYED_PARTITIONS }]);
  const p = kafka.producer();
  await p.connect();
  for (let round = 0; round < ROUNDS; round++)
    await p.send({
      topic: "keyed",
      acks: -1,
      messages: KEYS.map((key) => ({
        key,
        value: `${key}-${round}`,
        headers: { round: String(round), src: "kafkajs" },
      })),
    });
  await p.disconnect();
  checkKeyed(await readRecords(kafka, "keyed", KEYS.length * ROUNDS), "kafkajs");
});

const KAFKAJS_CODECS = {
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
} as const;

for (const codec of CODECS)
  matrix.cell(
    `codec-${codec}`,
    async (target) => {
      const { broker, kafka } = envs[target];
      const topic = `codec-${codec}`;
      await createTopics(kafka, [{ topic, numPartitions: 1 }]);
      const p = kafka.producer();
      await p.connect();
      await p.send({
        topic,
        acks: -1,
        compression: KAFKAJS_CODECS[codec],
        messages: Array.from({ length: COUNT_PER_CODEC }, (_, i) => ({
          key: `k${i % 5}`,
          value: codecValue(codec, i),
        })),
      });
      await p.disconnect();
      await checkCodec(await readRecords(kafka, topic, COUNT_PER_CODEC), broker, topic, codec);
    },
    codec === "gzip"
      ? undefined
      : "kafkajs ships only gzip; the application registers a codec (here one backed by @logbook/protocol)",
  );

matrix.cell("group", async (target) => {
  const { kafka } = envs[target];
  const topic = "grouped";
  await createTopics(kafka, [{ topic, numPartitions: GROUP_PARTITIONS }]);
  const produce = (prefix: string, n: number) =>
    send(
      kafka,
      topic,
      Array.from({ length: GROUP_PARTITIONS }, (_, p) =>
        Array.from({ length: n }, (_, i) => ({ partition: p, value: `${prefix}-${p}-${i}` })),
      ).flat(),
    );
  const admin = kafka.admin();
  await admin.connect();
  const committedAll = async (offset: number) => {
    const r = await admin.fetchOffsets({ groupId: "g", topics: [topic] });
    return (r[0]?.partitions ?? []).filter((p) => Number(p.offset) === offset).length === 4;
  };
  const result: GroupResult = {
    assignments: { a: [], b: [] },
    firstPhase: [],
    secondPhase: [],
    resumed: [],
  };
  let phase = 1;
  const member = async (name: "a" | "b" | "c") => {
    const c = kafka.consumer({ groupId: "g", ...FAST_CONSUMER });
    consumers.push(c);
    // Assignments of the rebalance phase only: when a and b close one after the other,
    // the one left may rejoin alone first (Kafka is quick to), which is not the split.
    c.on(c.events.GROUP_JOIN, (e) => {
      if (name !== "c" && phase === 2) {
        result.assignments[name] = [...(e.payload.memberAssignment[topic] ?? [])];
      }
    });
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    await c.run({
      eachMessage: async ({ partition, message }) => {
        const v = message.value?.toString() ?? "";
        if (name === "c") result.resumed.push(v);
        else if (phase === 1) result.firstPhase.push(v);
        else result.secondPhase.push(`${name}:${partition}:${v}`);
      },
    });
    return c;
  };
  try {
    await produce("one", 5);
    const a = await member("a");
    await waitFor(
      "a to read 20",
      () => result.firstPhase.length >= 20,
      30_000,
      () => result,
    );
    await waitFor("commits at 5", () => committedAll(5));
    phase = 2;
    result.assignments.a = [];
    const b = await member("b");
    await waitFor(
      "the rebalance to split the partitions between a and b",
      () =>
        result.assignments.a.length > 0 &&
        result.assignments.b.length > 0 &&
        result.assignments.a.length + result.assignments.b.length === GROUP_PARTITIONS,
      45_000,
      () => result.assignments,
    );
    await produce("two", 5);
    await waitFor(
      "20 more read",
      () => result.secondPhase.length >= 20,
      30_000,
      () => result,
    );
    await waitFor("commits at 10", () => committedAll(10));
    phase = 3;
    await a.disconnect();
    await b.disconnect();
    await produce("three", 1);
    const c = await member("c");
    await waitFor(
      "c to read 4",
      () => result.resumed.length >= 4,
      30_000,
      () => result,
    );
    await c.disconnect();
    checkGroup(result);
  } finally {
    await admin.disconnect();
  }
});

matrix.cell("offsets-by-time", async (target) => {
  const { kafka } = envs[target];
  const topic = "timed";
  await createTopics(kafka, [{ topic, numPartitions: 1 }]);
  const t0 = Date.now() - 60_000;
  await send(
    kafka,
    topic,
    Array.from({ length: TIMESTAMPED }, (_, i) => ({
      value: `t-${i}`,
      timestamp: String(t0 + i * 1000),
    })),
  );
  const admin = kafka.admin();
  await admin.connect();
  const [found] = await admin.fetchTopicOffsetsByTimestamp(topic, t0 + LOOKUP_DELTA_MS);
  await admin.disconnect();
  const offset = Number(found?.offset);
  // Starts at the end (latest), so whatever it reads comes from the seek.
  const c = kafka.consumer({ groupId: "timed", ...FAST_CONSUMER });
  consumers.push(c);
  const values: string[] = [];
  await c.connect();
  await c.subscribe({ topic, fromBeginning: false });
  await c.run({
    eachMessage: async ({ message }) => {
      values.push(message.value?.toString() ?? "");
    },
  });
  c.seek({ topic, partition: 0, offset: String(offset) });
  await waitFor(
    "reads up to t-9",
    () => values.includes("t-9"),
    30_000,
    () => values,
  );
  await c.disconnect();
  checkOffsetsByTime({ offset, values });
});

matrix.cell("idempotent", async (target) => {
  const { broker, kafka } = envs[target];
  const topic = "idem";
  await createTopics(kafka, [{ topic, numPartitions: 1 }]);
  const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await p.connect();
  for (const half of [0, 5])
    await p.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 5 }, (_, i) => ({ value: `i-${half + i}` })),
    });
  await p.disconnect();
  await checkIdempotent(await readRecords(kafka, topic, 10), broker, topic);
});

matrix.cell("transactions", async (target) => {
  const { broker, kafka } = envs[target];
  const topic = "txn";
  await createTopics(kafka, [{ topic, numPartitions: 1 }]);
  const p = kafka.producer({
    transactionalId: "kafkajs-tx",
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await p.connect();
  const inTxn = async (values: string[], commit: boolean) => {
    const t = await p.transaction();
    await t.send({ topic, messages: values.map((value) => ({ value })) });
    await (commit ? t.commit() : t.abort());
  };
  await inTxn(["c-0", "c-1", "c-2"], true);
  await inTxn(["a-0", "a-1", "a-2"], false);
  await inTxn(["c-end"], true);
  await p.disconnect();
  const c = kafka.consumer({ groupId: "txn-reader", readUncommitted: false, ...FAST_CONSUMER });
  consumers.push(c);
  const values: string[] = [];
  await c.connect();
  await c.subscribe({ topic, fromBeginning: true });
  await c.run({
    eachMessage: async ({ message }) => {
      values.push(message.value?.toString() ?? "");
    },
  });
  await waitFor(
    "c-end",
    () => values.includes("c-end"),
    30_000,
    () => values,
  );
  await c.disconnect();
  await checkTransactions(values, broker, topic, true);
});

matrix.cell("large-record", async (target) => {
  const { kafka } = envs[target];
  const topic = "large";
  await createTopics(kafka, [{ topic, numPartitions: 1 }]);
  await send(kafka, topic, [{ value: largeValue() }]);
  await send(kafka, topic, [{ value: "after" }]);
  const records = await readRecords(kafka, topic, 2);
  checkLarge({
    sizes: records.map((r) => Buffer.byteLength(r.value ?? "")),
    sha256: sha256(records[0]?.value ?? ""),
  });
});

matrix.cell("compacted", async (target) => {
  const { kafka } = envs[target];
  const topic = "compacted";
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic, numPartitions: 1, configEntries: [{ name: "cleanup.policy", value: "compact" }] },
    ],
  });
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: 2, name: topic, configNames: ["cleanup.policy"] }],
  });
  await admin.disconnect();
  assert.equal(described.resources[0]?.configEntries[0]?.configValue, "compact");
  await send(
    kafka,
    topic,
    COMPACTED.map(([key, value]) => ({ key, value })),
  );
  checkCompacted(await readRecords(kafka, topic, COMPACTED.length));
});

/** The API keys kafkajs 2.2.4 has a request for (its own table, name → key). */
function kafkajsApiKeys(): Record<string, number> {
  return createRequire(import.meta.url)("kafkajs/src/protocol/requests/apiKeys") as Record<
    string,
    number
  >;
}

/** A probe: kafkajs has no request of these API keys, so cannot speak the protocol. */
function lacksApis(keys: Record<string, number>) {
  return async () => {
    const known = Object.values(kafkajsApiKeys());
    assert.ok(known.includes(2), "the table read is kafkajs's (it has ListOffsets, key 2)");
    for (const [name, key] of Object.entries(keys))
      assert.ok(!known.includes(key), `kafkajs has a request for ${name} (key ${key})`);
  };
}

matrix.notSupported(
  "group-consumer-protocol",
  "kafkajs 2.2.4 has only the classic group protocol: it has no ConsumerGroupHeartbeat request (KIP-848)",
  lacksApis({ ConsumerGroupHeartbeat: 68 }),
);

matrix.notSupported(
  "share-group",
  "kafkajs 2.2.4 has no share consumer: it has no ShareGroupHeartbeat, ShareFetch or ShareAcknowledge request (KIP-932)",
  lacksApis({ ShareGroupHeartbeat: 76, ShareFetch: 78, ShareAcknowledge: 79 }),
);
