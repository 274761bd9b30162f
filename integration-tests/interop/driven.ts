/**
 * The matrix for clients driven in a child process (Python, kcat, a Node 22 script): per
 * test file one Logbook and one reference Kafka (targets.ts), topics made beforehand
 * with kafkajs's admin, one driver run per scenario and target (its JSON result checked
 * by scenarios.ts), and the cells the client cannot do marked not supported with the
 * reason.
 */
import assert from "node:assert/strict";
import { after, before } from "node:test";
import type { Kafka } from "kafkajs";
import { JsonLinesProcess } from "../helpers/groups.js";
import { fetchAll } from "../helpers/wire-data.js";
import { type KnownFailure, Matrix, SCENARIOS, type ScenarioId } from "./matrix.js";
import {
  type ClientRecord,
  CODECS,
  checkCodec,
  checkCompacted,
  checkGroup,
  checkGroupType,
  checkIdempotent,
  checkKeyed,
  checkLarge,
  checkMetadata,
  checkOffsetsByTime,
  checkShare,
  checkTopicAdmin,
  checkTransactions,
  createTopics,
  GROUP_IDS,
  GROUP_PARTITIONS,
  type GroupResult,
  KEYED_PARTITIONS,
  type LargeResult,
  type MetadataResult,
  type OffsetsByTimeResult,
  SHARE_GROUP,
  SHARE_PARTITIONS,
  type ShareResult,
  shareFromEarliest,
  type TopicAdminResult,
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

export interface DrivenEnv {
  /** Which broker this run talks to. */
  target: TargetName;
  broker: TargetBroker;
  /** kafkajs, for set-up and checks on `broker`. */
  kafka: Kafka;
}

/**
 * Runs `command args` (with `env` added to this process's environment), fails on a
 * non-zero exit, and returns its "result" line's payload.
 */
export async function runDriver(
  name: string,
  command: string,
  args: string[],
  timeoutMs = 60_000,
  env: Record<string, string> = {},
): Promise<unknown> {
  const p = new JsonLinesProcess(name, command, args, env);
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
  /**
   * Scenarios the client fails on some target (for instance only against Kafka, whose
   * 4.x releases dropped old protocol versions), with the error each must show.
   */
  knownFailures?: Partial<Record<ScenarioId, KnownFailure>>;
}

/** Declares the broker hooks and, per scenario, one test per target for `c`. */
export function drivenMatrix(c: DrivenClient): void {
  const matrix = new Matrix(c.client);
  const targets: Partial<Targets> = {};
  const envs = {} as Record<TargetName, DrivenEnv>;
  before(async () => {
    Object.assign(targets, await startTargets());
    for (const target of TARGETS) {
      const broker = targets[target] as TargetBroker;
      envs[target] = {
        target,
        broker,
        kafka: setupClient(broker, `interop-setup-${c.client}`),
      };
    }
    matrix.version = await c.version();
  });
  after(async () => {
    await matrix.save();
    await stopTargets(targets);
  });

  const run = (env: DrivenEnv, id: ScenarioId, topic: string, extra: string[] = []) =>
    c.run(env, id, topic, extra);
  const create = (
    env: DrivenEnv,
    topic: string,
    numPartitions: number,
    config?: Record<string, string>,
  ) => createTopics(env.kafka, [{ topic, numPartitions, ...(config ? { config } : {}) }]);

  const readOverWire = async (env: DrivenEnv, topic: string): Promise<ClientRecord[]> =>
    (await fetchAll(env.broker.port, topic, 0)).records.map((r) => ({
      partition: 0,
      offset: Number(r.offset),
      key: r.key,
      value: r.value,
      headers: r.headers,
    }));

  /** The classic `group` plan, or the same in a group.protocol=consumer group. */
  const groupScenario = async (env: DrivenEnv, id: keyof typeof GROUP_IDS) => {
    const topic = id === "group" ? "grouped" : "grouped-kip848";
    await create(env, topic, GROUP_PARTITIONS);
    checkGroup((await run(env, id, topic)) as GroupResult);
    if (id === "group-consumer-protocol")
      await checkGroupType(env.broker, GROUP_IDS[id], "consumer");
    // The client's commits reached the broker: one past the last record everywhere.
    const admin = env.kafka.admin();
    await admin.connect();
    try {
      const r = await admin.fetchOffsets({ groupId: GROUP_IDS[id], topics: [topic] });
      assert.deepEqual(
        (r[0]?.partitions ?? []).map((p) => p.offset),
        ["11", "11", "11", "11"],
        "committed offsets",
      );
    } finally {
      await admin.disconnect();
    }
  };

  const bodies: Record<ScenarioId, (env: DrivenEnv) => Promise<void>> = {
    metadata: async (env) => {
      await create(env, "md", 3);
      checkMetadata((await run(env, "metadata", "md")) as MetadataResult, env.broker, 3);
    },
    "topic-admin": async (env) => {
      const r = (await run(env, "topic-admin", "made")) as TopicAdminResult;
      await checkTopicAdmin(r, env.target, env.kafka, "made");
    },
    "keyed-headers": async (env) => {
      await create(env, "keyed", KEYED_PARTITIONS);
      checkKeyed((await run(env, "keyed-headers", "keyed")) as ClientRecord[], c.src);
    },
    ...(Object.fromEntries(
      CODECS.map((codec) => [
        `codec-${codec}`,
        async (env: DrivenEnv) => {
          const topic = `codec-${codec}`;
          await create(env, topic, 1);
          const id = `codec-${codec}` as const;
          const records =
            c.produceOnly?.[id] === undefined
              ? ((await run(env, id, topic)) as ClientRecord[])
              : await run(env, id, topic, ["produce-only"]).then(() => readOverWire(env, topic));
          await checkCodec(records, env.broker, topic, codec);
        },
      ]),
    ) as Record<`codec-${(typeof CODECS)[number]}`, (env: DrivenEnv) => Promise<void>>),
    group: (env) => groupScenario(env, "group"),
    "group-consumer-protocol": (env) => groupScenario(env, "group-consumer-protocol"),
    "share-group": async (env) => {
      await create(env, "shared", SHARE_PARTITIONS);
      await shareFromEarliest(env.broker, SHARE_GROUP);
      checkShare((await run(env, "share-group", "shared")) as ShareResult);
    },
    "offsets-by-time": async (env) => {
      await create(env, "timed", 1);
      const t0 = String(Date.now() - 60_000);
      checkOffsetsByTime((await run(env, "offsets-by-time", "timed", [t0])) as OffsetsByTimeResult);
    },
    idempotent: async (env) => {
      await create(env, "idem", 1);
      await checkIdempotent(
        (await run(env, "idempotent", "idem")) as ClientRecord[],
        env.broker,
        "idem",
      );
    },
    transactions: async (env) => {
      await create(env, "txn", 1);
      const values = (await run(env, "transactions", "txn")) as string[];
      await checkTransactions(values, env.broker, "txn", c.aborts ?? true);
    },
    "large-record": async (env) => {
      await create(env, "large", 1);
      checkLarge((await run(env, "large-record", "large")) as LargeResult);
    },
    compacted: async (env) => {
      await create(env, "compacted", 1, { "cleanup.policy": "compact" });
      checkCompacted((await run(env, "compacted", "compacted")) as ClientRecord[]);
    },
  };

  for (const { id } of SCENARIOS) {
    const ns = c.notSupported?.[id];
    if (ns !== undefined) matrix.notSupported(id, ns.reason, ns.probe);
    else {
      const caveat = c.caveats?.[id] ?? c.produceOnly?.[id];
      const knownFailure = c.knownFailures?.[id];
      matrix.cell(id, (target) => bodies[id](envs[target]), {
        ...(caveat === undefined ? {} : { caveat }),
        ...(knownFailure ? { knownFailure } : {}),
      });
    }
  }
}
