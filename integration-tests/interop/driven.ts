/**
 * The matrix for clients driven in a child process (Python, kcat, a Node 22 script): one
 * broker per test file, topics made beforehand with kafkajs's admin, one driver run per
 * scenario (its JSON result checked by scenarios.ts), and the cells the client cannot do
 * marked not supported with the reason.
 */
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker } from "../helpers/broker-process.js";
import { GROUP_BROKER, JsonLinesProcess } from "../helpers/groups.js";
import { fetchAll } from "../helpers/wire-data.js";
import { Matrix, SCENARIOS, type ScenarioId } from "./matrix.js";
import {
  type ClientRecord,
  CODECS,
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
  createTopics,
  GROUP_PARTITIONS,
  type GroupResult,
  KEYED_PARTITIONS,
  type LargeResult,
  type MetadataResult,
  type OffsetsByTimeResult,
  type TopicAdminResult,
} from "./scenarios.js";

export interface DrivenEnv {
  broker: BrokerProcess;
  kafka: Kafka;
}

/** Runs `command args`, fails on a non-zero exit, and returns its "result" line's payload. */
export async function runDriver(
  name: string,
  command: string,
  args: string[],
  timeoutMs = 60_000,
): Promise<unknown> {
  const p = new JsonLinesProcess(name, command, args);
  const code = await p.done(timeoutMs);
  assert.equal(
    code,
    0,
    `${name} ${args.join(" ")} exited with ${code}; stderr:\n${p.stderr()}\nlines: ${JSON.stringify(p.lines.slice(-5))}`,
  );
  const r = p.lines.find((l) => l.event === "result");
  assert.ok(r !== undefined, `${name} printed no result; stderr:\n${p.stderr()}`);
  return r.result;
}

export interface DrivenClient {
  /** Column name and results file name. */
  client: string;
  /** The client's version as it reports it. */
  version: () => Promise<string>;
  /** Runs one scenario (an id of scenarios.ts) on `topic`; resolves with its result. */
  run: (env: DrivenEnv, scenario: ScenarioId, topic: string, extra: string[]) => Promise<unknown>;
  /** The value the driver puts in the "src" header of keyed-headers. */
  src: string;
  /** Scenarios the client cannot do: the reason, and a probe showing the client refuse. */
  notSupported?: Partial<Record<ScenarioId, { reason: string; probe: () => Promise<void> }>>;
  /** Notes printed with a passing cell (how it passed). */
  caveats?: Partial<Record<ScenarioId, string>>;
  /**
   * Codecs the client can produce but not consume, with the reason: the driver gets
   * "produce-only" and the records are read back over the wire instead.
   */
  produceOnly?: Partial<Record<ScenarioId, string>>;
  /** Whether the client can abort a transaction (kcat only commits). */
  aborts?: boolean;
}

/** Declares the broker hooks and one subtest per scenario for `c`. */
export function drivenMatrix(c: DrivenClient): void {
  const matrix = new Matrix(c.client);
  let env: DrivenEnv;
  before(async () => {
    const broker = await startBroker(GROUP_BROKER);
    const kafka = new Kafka({
      clientId: `interop-setup-${c.client}`,
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    env = { broker, kafka };
    matrix.version = await c.version();
  });
  after(async () => {
    await matrix.save();
    if (env?.broker.isAlive()) assert.equal(await env.broker.stop(), 0, env.broker.stderr());
    if (env !== undefined) await removeDir(env.broker.dataDir);
  });

  const run = (id: ScenarioId, topic: string, extra: string[] = []) => c.run(env, id, topic, extra);
  const create = (topic: string, numPartitions: number, config?: Record<string, string>) =>
    createTopics(env.kafka, [{ topic, numPartitions, ...(config ? { config } : {}) }]);

  const readOverWire = async (topic: string): Promise<ClientRecord[]> =>
    (await fetchAll(env.broker.port, topic, 0)).records.map((r) => ({
      partition: 0,
      offset: Number(r.offset),
      key: r.key,
      value: r.value,
      headers: r.headers,
    }));

  const bodies: Record<ScenarioId, () => Promise<void>> = {
    metadata: async () => {
      await create("md", 3);
      checkMetadata((await run("metadata", "md")) as MetadataResult, env.broker, 3);
    },
    "topic-admin": async () => {
      checkTopicAdmin((await run("topic-admin", "made")) as TopicAdminResult);
    },
    "keyed-headers": async () => {
      await create("keyed", KEYED_PARTITIONS);
      checkKeyed((await run("keyed-headers", "keyed")) as ClientRecord[], c.src);
    },
    ...(Object.fromEntries(
      CODECS.map((codec) => [
        `codec-${codec}`,
        async () => {
          const topic = `codec-${codec}`;
          await create(topic, 1);
          const id = `codec-${codec}` as const;
          const records =
            c.produceOnly?.[id] === undefined
              ? ((await run(id, topic)) as ClientRecord[])
              : await run(id, topic, ["produce-only"]).then(() => readOverWire(topic));
          await checkCodec(records, env.broker, topic, codec);
        },
      ]),
    ) as Record<`codec-${(typeof CODECS)[number]}`, () => Promise<void>>),
    group: async () => {
      await create("grouped", GROUP_PARTITIONS);
      checkGroup((await run("group", "grouped")) as GroupResult);
      // The client's commits reached the broker: one past the last record everywhere.
      const admin = env.kafka.admin();
      await admin.connect();
      try {
        const r = await admin.fetchOffsets({ groupId: "g", topics: ["grouped"] });
        assert.deepEqual(
          (r[0]?.partitions ?? []).map((p) => p.offset),
          ["11", "11", "11", "11"],
          "committed offsets",
        );
      } finally {
        await admin.disconnect();
      }
    },
    "offsets-by-time": async () => {
      await create("timed", 1);
      const t0 = String(Date.now() - 60_000);
      checkOffsetsByTime((await run("offsets-by-time", "timed", [t0])) as OffsetsByTimeResult);
    },
    idempotent: async () => {
      await create("idem", 1);
      await checkIdempotent(
        (await run("idempotent", "idem")) as ClientRecord[],
        env.broker,
        "idem",
      );
    },
    transactions: async () => {
      await create("txn", 1);
      const values = (await run("transactions", "txn")) as string[];
      await checkTransactions(values, env.broker, "txn", c.aborts ?? true);
    },
    "large-record": async () => {
      await create("large", 1);
      checkLarge((await run("large-record", "large")) as LargeResult);
    },
    compacted: async () => {
      await create("compacted", 1, { "cleanup.policy": "compact" });
      checkCompacted((await run("compacted", "compacted")) as ClientRecord[]);
    },
  };

  for (const { id } of SCENARIOS) {
    const ns = c.notSupported?.[id];
    if (ns !== undefined) matrix.notSupported(id, ns.reason, ns.probe);
    else matrix.cell(id, bodies[id], c.caveats?.[id] ?? c.produceOnly?.[id]);
  }
}
