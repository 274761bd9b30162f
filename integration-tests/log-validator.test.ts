/**
 * Produced batches are checked and normalised as Kafka's LogValidator does, never
 * trusted: the same hand-built batches go to Logbook and to the reference Kafka, and
 * both must store (or refuse) them alike. The first case is the bug that lost data: a
 * batch whose header says max timestamp -1 (sarama before 1.23) while its records carry
 * real timestamps was acknowledged, then deleted by time retention at its next check.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  type BatchRecord,
  type CompressionCodecId,
  crc32c,
  createListOffsetsRequest,
  createProduceRequest,
  createProduceRequestTopicData,
  encodeBatch,
  ListOffsetsApi,
  ProduceApi,
} from "@logbook/protocol";
import { Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker } from "./helpers/broker-process.js";
import { waitFor } from "./helpers/groups.js";
import { type KafkaProcess, startKafka } from "./helpers/kafka-process.js";
import { WireClient } from "./helpers/wire-client.js";
import { fetchAll } from "./helpers/wire-data.js";

let logbook: BrokerProcess;
let kafka: KafkaProcess;
/** Both brokers, each with a kafkajs admin for topics. */
const targets: { name: string; port: number; client: Kafka }[] = [];

before(async () => {
  [logbook, kafka] = await Promise.all([
    startBroker({ args: ["-o", "log.retention.check.interval.ms=200"] }),
    // Kafka's log tasks start 30 s after start-up unless log.initial.task.delay.ms says.
    startKafka({
      config: { "log.retention.check.interval.ms": "200", "log.initial.task.delay.ms": "0" },
    }),
  ]);
  for (const [name, b] of [
    ["logbook", logbook],
    ["kafka", kafka],
  ] as const) {
    const client = new Kafka({
      clientId: "log-validator-it",
      brokers: [b.bootstrap],
      logLevel: logLevel.NOTHING,
    });
    targets.push({ name, port: b.port, client });
  }
});
after(async () => {
  await kafka?.stop();
  if (logbook?.isAlive()) assert.equal(await logbook.stop(), 0, logbook.stderr());
  if (logbook !== undefined) await removeDir(logbook.dataDir);
});

async function createTopic(
  client: Kafka,
  topic: string,
  config: Record<string, string> = {},
): Promise<void> {
  const admin = client.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: 1,
          configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

function records(
  n: number,
  opts: { keyed?: boolean; deltas?: (i: number) => number; valueBytes?: number } = {},
) {
  return Array.from(
    { length: n },
    (_, i): BatchRecord => ({
      attributes: 0,
      timestampDelta: BigInt(i),
      offsetDelta: opts.deltas?.(i) ?? i,
      key: opts.keyed === false ? null : Buffer.from(`k${i}`),
      value: Buffer.from(`v${i}`.padEnd(opts.valueBytes ?? 0, ".")),
      headers: [],
    }),
  );
}

interface ProduceAnswer {
  errorCode: number;
  baseOffset: bigint;
  logStartOffset: bigint;
  recordErrors: number[];
}

async function produce(port: number, topic: string, batch: Buffer, version = 9) {
  const c = await WireClient.connect(port);
  try {
    const r = await c.request(
      ProduceApi,
      version,
      createProduceRequest({
        acks: -1,
        timeoutMs: 5000,
        topicData: [
          createProduceRequestTopicData({
            name: topic,
            partitionData: [{ index: 0, records: batch }],
          }),
        ],
      }),
    );
    const p = r.body.responses[0]?.partitionResponses[0];
    assert.ok(p !== undefined, "a partition answer");
    return {
      errorCode: p.errorCode,
      baseOffset: p.baseOffset,
      logStartOffset: p.logStartOffset,
      recordErrors: p.recordErrors.map((e) => e.batchIndex),
    } satisfies ProduceAnswer;
  } finally {
    c.close();
  }
}

/** ListOffsets' timestamp for the log start offset. */
const EARLIEST = -2n;

/** ListOffsets v4 by timestamp: the first offset with a timestamp at or after `ts`. */
async function offsetForTime(port: number, topic: string, ts: bigint): Promise<bigint> {
  const c = await WireClient.connect(port);
  try {
    const r = await c.request(
      ListOffsetsApi,
      4,
      createListOffsetsRequest({
        replicaId: -1,
        topics: [
          {
            name: topic,
            partitions: [
              { partitionIndex: 0, timestamp: ts, currentLeaderEpoch: -1, maxNumOffsets: 1 },
            ],
          },
        ],
      }),
    );
    const p = r.body.topics[0]?.partitions[0];
    assert.equal(p?.errorCode, 0);
    return p?.offset ?? -2n;
  } finally {
    c.close();
  }
}

/** Runs `body` against each broker and returns the answers by broker name. */
async function onBoth<T>(body: (t: (typeof targets)[number]) => Promise<T>) {
  const out: Record<string, T> = {};
  for (const t of targets) out[t.name] = await body(t);
  return out;
}

describe("a batch header's max timestamp of -1 (sarama < 1.23)", () => {
  test("is recomputed from the records, so time retention keeps every acknowledged record", async () => {
    const now = BigInt(Date.now());
    const answers = await onBoth(async (t) => {
      // A witness topic whose old records retention must delete: once its log start
      // moves, at least one retention pass has run over both topics.
      // Kafka 4's smallest segment.bytes is 1 MiB: 8 KiB values fill two segments.
      const segment = { "segment.bytes": "1048576" };
      await createTopic(t.client, "witness", { "retention.ms": "1000", ...segment });
      await createTopic(t.client, "sarama", { "retention.ms": "3600000", ...segment });
      for (let i = 0; i < 30; i++) {
        const old = await encodeBatch({
          baseTimestamp: now - 60_000n,
          records: records(5, { valueBytes: 8192 }),
        });
        assert.equal((await produce(t.port, "witness", old)).errorCode, 0);
      }
      const acked: bigint[] = [];
      for (let i = 0; i < 40; i++) {
        const batch = await encodeBatch({
          baseTimestamp: now + BigInt(i * 10),
          maxTimestamp: -1n,
          records: records(5, { valueBytes: 8192 }),
        });
        const a = await produce(t.port, "sarama", batch);
        assert.equal(a.errorCode, 0, `${t.name}: produce`);
        acked.push(a.baseOffset);
      }
      await waitFor(
        `${t.name}: retention ran on the witness topic`,
        async () => (await offsetForTime(t.port, "witness", EARLIEST)) > 0n,
        20_000,
      );
      // One more interval, so the sarama topic's segments were looked at as well.
      await new Promise((r) => setTimeout(r, 600));
      assert.equal(
        await offsetForTime(t.port, "sarama", EARLIEST),
        0n,
        `${t.name}: retention deleted acknowledged records`,
      );
      const stored = await fetchAll(t.port, "sarama", 0);
      return {
        acked,
        offsets: stored.records.map((r) => Number(r.offset)),
        maxTimestamps: stored.batches.map((b) => b.maxTimestamp - now),
        byTime: await offsetForTime(t.port, "sarama", now + 105n),
      };
    });
    for (const [name, a] of Object.entries(answers)) {
      assert.deepEqual(
        a.offsets,
        Array.from({ length: 200 }, (_, i) => i),
        `${name}: all 200 acknowledged records are still there`,
      );
      assert.deepEqual(
        a.maxTimestamps,
        Array.from({ length: 40 }, (_, i) => BigInt(i * 10 + 4)),
        `${name}: each stored header carries its records' max timestamp`,
      );
      // Batch 10 starts at now+100 and its record 5 has now+105: offset 55.
      assert.equal(a.byTime, 55n, `${name}: ListOffsets by timestamp finds the records`);
    }
    assert.deepEqual(answers.logbook?.acked, answers.kafka?.acked);
  });
});

describe("what Kafka recomputes or refuses, Logbook does alike", () => {
  const cases: {
    name: string;
    config?: Record<string, string>;
    batch: () => Promise<Buffer>;
    produceVersion?: number;
    /** Kafka's error code differs for a written reason; both must refuse. */
    bothRefuse?: boolean;
  }[] = [
    {
      name: "a max timestamp larger than any record's",
      batch: () =>
        encodeBatch({
          baseTimestamp: BigInt(Date.now()),
          maxTimestamp: BigInt(Date.now() + 30 * 60_000),
          records: records(3),
        }),
    },
    {
      name: "a record count that does not match the records",
      batch: async () => {
        const b = await encodeBatch({ baseTimestamp: BigInt(Date.now()), records: records(3) });
        // Claim 2 records (and lastOffsetDelta 1) while 3 are there; fix the CRC.
        b.writeInt32BE(2, 57);
        b.writeInt32BE(1, 23);
        return recrc(b);
      },
    },
    {
      name: "a timestamp two hours in the future (message.timestamp.after.max.ms)",
      batch: () =>
        encodeBatch({ baseTimestamp: BigInt(Date.now() + 2 * 3600_000), records: records(2) }),
    },
    {
      name: "a timestamp older than message.timestamp.before.max.ms",
      config: { "message.timestamp.before.max.ms": "60000" },
      batch: () =>
        encodeBatch({ baseTimestamp: BigInt(Date.now() - 3600_000), records: records(2) }),
    },
    {
      name: "a keyless record on a compacted topic",
      config: { "cleanup.policy": "compact" },
      batch: () =>
        encodeBatch({
          baseTimestamp: BigInt(Date.now()),
          records: records(3).map((r, i) => (i === 1 ? { ...r, key: null } : r)),
        }),
    },
    {
      name: "a batch claiming LogAppendTime on a LogAppendTime topic",
      config: { "message.timestamp.type": "LogAppendTime" },
      batch: () =>
        encodeBatch({ baseTimestamp: BigInt(Date.now()), timestampType: 1, records: records(2) }),
    },
    {
      name: "a batch claiming LogAppendTime on a CreateTime topic, with timestamps",
      batch: () =>
        encodeBatch({ baseTimestamp: BigInt(Date.now()), timestampType: 1, records: records(2) }),
    },
    {
      name: "a gzip batch whose inner offset deltas skip",
      // Kafka 4.4.0 fails on it with UNKNOWN_SERVER_ERROR ("key is skipped in
      // PartialDefaultRecord" in its log) while trying to rebuild the batch; Logbook
      // refuses it with INVALID_RECORD. Both refuse and store nothing.
      bothRefuse: true,
      batch: () =>
        encodeBatch({
          compression: 1 as CompressionCodecId,
          baseTimestamp: BigInt(Date.now()),
          lastOffsetDelta: 2,
          records: records(3, { deltas: (i) => i * 2 }),
        }),
    },
    {
      name: "an uncompressed batch whose offset deltas skip (stored as sent)",
      batch: () =>
        encodeBatch({
          baseTimestamp: BigInt(Date.now()),
          lastOffsetDelta: 2,
          records: records(3, { deltas: (i) => i * 2 }),
        }),
    },
    {
      name: "zstd in Produce v6",
      produceVersion: 6,
      batch: () =>
        encodeBatch({
          compression: 4 as CompressionCodecId,
          baseTimestamp: BigInt(Date.now()),
          records: records(2),
        }),
    },
  ];
  let n = 0;
  for (const c of cases) {
    test(c.name, async () => {
      const topic = `lv-${n++}`;
      const answers = await onBoth(async (t) => {
        await createTopic(t.client, topic, c.config);
        const a = await produce(t.port, topic, await c.batch(), c.produceVersion);
        const stored = a.errorCode === 0 ? await fetchAll(t.port, topic, 0) : null;
        return {
          errorCode: a.errorCode,
          logStartOffset: a.logStartOffset,
          recordErrors: a.recordErrors,
          records: stored?.records.map((r) => [Number(r.offset), r.key, r.value]),
          headers: stored?.batches.map((b) => ({
            count: b.recordsCount,
            lastOffsetDelta: b.lastOffsetDelta,
            timestampType: b.timestampType,
            maxMinusBase:
              b.timestampType === 0 ? Number(b.maxTimestamp - b.baseTimestamp) : "append time",
          })),
        };
      });
      if (c.bothRefuse === true) {
        for (const a of Object.values(answers)) {
          assert.notEqual(a.errorCode, 0);
          assert.equal(a.records, undefined);
        }
        assert.equal(answers.logbook?.errorCode, 87, "INVALID_RECORD");
        return;
      }
      assert.deepEqual(answers.logbook, answers.kafka, `Logbook vs Kafka for ${c.name}`);
    });
  }
});

/** Recomputes a batch's CRC-32C after a test changed covered fields. */
function recrc(b: Buffer): Buffer {
  b.writeUInt32BE(crc32c(b, 21, b.length), 17);
  return b;
}
