/**
 * A real Apache Kafka and a real Logbook side by side, and conversations that send the
 * same requests to both over one connection each and compare the decoded answers with
 * diff.ts, minus the written allowed differences.
 *
 * Both brokers get the same node id, cluster id and group settings, so what remains
 * different is behaviour (or something allowed-differences.ts names).
 */
import assert from "node:assert/strict";
import {
  type ApiCodec,
  CreateTopicsApi,
  createCreateTopicsRequest,
  createCreateTopicsRequestCreatableTopic,
  createCreateTopicsRequestCreatableTopicConfig,
  createListOffsetsRequest,
  createListOffsetsRequestPartition,
  createListOffsetsRequestTopic,
  createMetadataRequest,
  createMetadataRequestTopic,
  decodeResponseFrame,
  ListOffsetsApi,
  MetadataApi,
} from "@logbook/protocol";
import { type BrokerProcess, startBroker } from "../helpers/broker-process.js";
import { type KafkaProcess, startKafka } from "../helpers/kafka-process.js";
import { WireClient } from "../helpers/wire-client.js";
import { allowedDifference, type ExpectedDivergence } from "./allowed-differences.js";
import { type Difference, describeDifference, diff } from "./diff.js";

export type Side = "kafka" | "logbook";
export const SIDES: readonly Side[] = ["kafka", "logbook"];

/** Settings both brokers run with, so that configuration is not what differs. */
const SHARED_CONFIG: Record<string, string> = {
  "node.id": "1",
  "group.initial.rebalance.delay.ms": "0",
  "auto.create.topics.enable": "true",
  "num.partitions": "1",
};

/** A guard against a broker that never answers, not an assertion on speed. */
const ANSWER_GUARD_MS = 15_000;

export type Outcome<Res> =
  | { kind: "answer"; body: Res }
  | { kind: "closed" }
  | { kind: "timeout" }
  | { kind: "undecodable"; error: string };

export interface Exchange<Res> {
  kafka: Outcome<Res>;
  logbook: Outcome<Res>;
  /** Differences the allowed list does not cover. */
  differences: Difference[];
}

export class DiffPair {
  private constructor(
    readonly kafka: KafkaProcess,
    readonly logbook: BrokerProcess,
  ) {}

  static async start(opts: { logbookArgs?: string[]; kafkaConfig?: Record<string, string> } = {}) {
    const kafka = await startKafka({ config: { ...SHARED_CONFIG, ...opts.kafkaConfig } });
    try {
      const c = await WireClient.connect(kafka.port);
      const md = await c.request(MetadataApi, 12, createMetadataRequest({ topics: [] }));
      c.close();
      const config = { ...SHARED_CONFIG, "cluster.id": md.body.clusterId ?? "" };
      const args = Object.entries(config).flatMap(([k, v]) => ["-o", `${k}=${v}`]);
      const logbook = await startBroker({ args: [...args, ...(opts.logbookArgs ?? [])] });
      return new DiffPair(kafka, logbook);
    } catch (e) {
      await kafka.stop();
      throw e;
    }
  }

  port(side: Side): number {
    return side === "kafka" ? this.kafka.port : this.logbook.port;
  }

  async conversation(): Promise<Conversation> {
    const [k, l] = await Promise.all(SIDES.map((s) => WireClient.connect(this.port(s))));
    return new Conversation(k as WireClient, l as WireClient, (s) =>
      WireClient.connect(this.port(s)),
    );
  }

  async stop(): Promise<void> {
    await Promise.all([this.kafka.stop(), this.logbook.stop()]);
  }
}

export interface ExchangeOptions {
  /** Default "wire-test"; null sends a null client id. */
  clientId?: string | null;
  /** Rewrites the encoded frame before it is sent (extra bytes, another version). */
  mutateFrame?: (frame: Buffer, correlationId: number) => Buffer;
  /** The version to decode the answer with, when it is not the request's. */
  responseVersion?: number;
}

type BodyOf<Req> = Req | ((side: Side) => Req);

function bodyFor<Req>(b: BodyOf<Req>, side: Side): Req {
  return typeof b === "function" ? (b as (s: Side) => Req)(side) : b;
}

async function answer<Res>(
  client: WireClient,
  api: ApiCodec<unknown, Res>,
  version: number,
  frame: Buffer,
  correlationId: number,
): Promise<Outcome<Res>> {
  client.write(frame);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((r) => {
    timer = setTimeout(() => r("timeout"), ANSWER_GUARD_MS);
  });
  try {
    const got = await Promise.race([client.nextFrame(), timeout]);
    if (got === "timeout") return { kind: "timeout" };
    const resp = decodeResponseFrame(api, version, got);
    if (resp.header.correlationId !== correlationId)
      return { kind: "undecodable", error: `correlation id ${resp.header.correlationId}` };
    return { kind: "answer", body: resp.body };
  } catch (e) {
    if (client.closedNow) return { kind: "closed" };
    return { kind: "undecodable", error: (e as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** One connection to each broker; every request goes to both. */
export class Conversation {
  readonly clients: Record<Side, WireClient>;
  /**
   * Values each broker chooses for itself (member ids, producer ids), mapped to one
   * name per conversation, so answers that carry them compare equal.
   */
  private readonly aliases: Record<Side, Map<unknown, string>> = {
    kafka: new Map(),
    logbook: new Map(),
  };

  /**
   * From now on, `values[side]` in either broker's answers reads as `name`. Equal
   * values need no alias (and get none: a producer id 0 must not rename offsets 0).
   */
  alias<T>(name: string, values: Record<Side, T>): Record<Side, T> {
    if (values.kafka === values.logbook) return values;
    for (const s of SIDES) this.aliases[s].set(values[s], `<${name}>`);
    return values;
  }

  constructor(
    kafka: WireClient,
    logbook: WireClient,
    private readonly connect: (side: Side) => Promise<WireClient>,
  ) {
    this.clients = { kafka, logbook };
  }

  /** Replaces a connection a broker closed (after a request it refuses). */
  async reopenClosed(): Promise<void> {
    for (const s of SIDES) {
      if (this.clients[s].closedNow) this.clients[s] = await this.connect(s);
    }
  }

  /** Sends the request to both (at the same time) and compares what comes back. */
  async exchange<Req, Res>(
    api: ApiCodec<Req, Res>,
    version: number,
    body: BodyOf<Req>,
    opts: ExchangeOptions = {},
  ): Promise<Exchange<Res>> {
    const outcomes = await Promise.all(
      SIDES.map((side) => {
        const client = this.clients[side];
        const clientId = opts.clientId === undefined ? "wire-test" : opts.clientId;
        const f = client.frame(api, version, bodyFor(body, side), clientId);
        const frame = opts.mutateFrame ? opts.mutateFrame(f.frame, f.correlationId) : f.frame;
        const rv = opts.responseVersion ?? version;
        return answer(client, api as ApiCodec<unknown, Res>, rv, frame, f.correlationId);
      }),
    );
    const [kafka, logbook] = outcomes as [Outcome<Res>, Outcome<Res>];
    return { kafka, logbook, differences: this.compare(api.name, kafka, logbook) };
  }

  /**
   * exchange() and assert that no difference outside the allowed list remains;
   * returns both answers (which must exist) for the caller's next steps.
   */
  async same<Req, Res>(
    api: ApiCodec<Req, Res>,
    version: number,
    body: BodyOf<Req>,
    opts: ExchangeOptions = {},
  ): Promise<Record<Side, Res>> {
    const x = await this.exchange(api, version, body, opts);
    assertSame(`${api.name} v${version}`, x);
    if (x.kafka.kind !== "answer" || x.logbook.kind !== "answer")
      assert.fail(`${api.name} v${version}: kafka ${x.kafka.kind}, logbook ${x.logbook.kind}`);
    return { kafka: x.kafka.body, logbook: x.logbook.body };
  }

  /**
   * same(), for an answer that carries a value each broker chooses (a member id): it
   * is aliased as `name` (see alias) before the answers are compared.
   */
  async sameLearning<Req, Res, T>(
    api: ApiCodec<Req, Res>,
    version: number,
    body: BodyOf<Req>,
    name: string,
    pick: (res: Res) => T,
  ): Promise<Record<Side, Res> & { learned: Record<Side, T> }> {
    const x = await this.exchange(api, version, body);
    if (x.kafka.kind !== "answer" || x.logbook.kind !== "answer")
      assert.fail(`${api.name} v${version}: kafka ${x.kafka.kind}, logbook ${x.logbook.kind}`);
    const learned = this.alias(name, { kafka: pick(x.kafka.body), logbook: pick(x.logbook.body) });
    const again = { ...x, differences: this.compare(api.name, x.kafka, x.logbook) };
    assertSame(`${api.name} v${version}`, again);
    return { kafka: x.kafka.body, logbook: x.logbook.body, learned };
  }

  /**
   * exchange() where Logbook differs from Kafka on purpose (or by a known bug): some of
   * the divergence's paths differ, and nothing else does.
   */
  async differs<Req, Res>(
    api: ApiCodec<Req, Res>,
    version: number,
    body: BodyOf<Req>,
    divergence: ExpectedDivergence,
  ): Promise<Exchange<Res>> {
    const x = await this.exchange(api, version, body);
    const paths = [...new Set(x.differences.map((d) => d.path.replace(/\[[^\]]*\]/g, "[]")))];
    const unexpected = paths.filter((p) => !divergence.paths.includes(p));
    assert.ok(
      paths.length > 0 && unexpected.length === 0,
      `${api.name} v${version} (${divergence.when}):\n  ${x.differences.map(describeDifference).join("\n  ")}`,
    );
    return x;
  }

  /**
   * Setup step that may need retries on one broker only (Kafka creates its internal
   * topics on first use and answers COORDINATOR_NOT_AVAILABLE meanwhile): sends to
   * each side until `retry` is false for its answer, then compares the final answers.
   */
  async settle<Req, Res>(
    api: ApiCodec<Req, Res>,
    version: number,
    body: BodyOf<Req>,
    retry: (res: Res) => boolean,
  ): Promise<Record<Side, Res>> {
    const finals = await Promise.all(
      SIDES.map(async (side) => {
        const deadline = Date.now() + 30_000;
        for (;;) {
          const r = await this.clients[side].request(api, version, bodyFor(body, side));
          if (!retry(r.body) || Date.now() > deadline) return r.body;
          await new Promise((res) => setTimeout(res, 100));
        }
      }),
    );
    const [kafka, logbook] = finals as [Res, Res];
    const differences = this.compare(
      api.name,
      { kind: "answer", body: kafka },
      { kind: "answer", body: logbook },
    );
    assertSame(`${api.name} v${version} (settled)`, {
      kafka: { kind: "answer", body: kafka },
      logbook: { kind: "answer", body: logbook },
      differences,
    });
    return { kafka, logbook };
  }

  /** Creates the topic on both, then waits until Kafka's metadata shows every leader. */
  async createTopic(name: string, partitions = 1, configs: Record<string, string> = {}) {
    const res = await this.same(
      CreateTopicsApi,
      7,
      createCreateTopicsRequest({
        timeoutMs: 30_000,
        topics: [
          createCreateTopicsRequestCreatableTopic({
            name,
            numPartitions: partitions,
            replicationFactor: 1,
            configs: Object.entries(configs).map(([n, value]) =>
              createCreateTopicsRequestCreatableTopicConfig({ name: n, value }),
            ),
          }),
        ],
      }),
    );
    assert.equal(res.kafka.topics[0]?.errorCode, 0, `create ${name} on kafka`);
    await this.waitForLeaders(name, partitions);
  }

  async waitForLeaders(name: string, partitions: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const md = await this.clients.kafka.request(
        MetadataApi,
        12,
        createMetadataRequest({
          topics: [createMetadataRequestTopic({ name })],
          allowAutoTopicCreation: false,
        }),
      );
      const t = md.body.topics[0];
      const ready =
        t !== undefined &&
        t.errorCode === 0 &&
        t.partitions.length === partitions &&
        t.partitions.every((p) => p.leaderId >= 0) &&
        (await this.kafkaServes(name, partitions));
      if (ready) return;
      if (Date.now() > deadline) assert.fail(`kafka never showed leaders for ${name}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The partition leaders have also loaded the logs: ListOffsets answers without error. */
  private async kafkaServes(name: string, partitions: number): Promise<boolean> {
    const r = await this.clients.kafka.request(
      ListOffsetsApi,
      7,
      createListOffsetsRequest({
        replicaId: -1,
        topics: [
          createListOffsetsRequestTopic({
            name,
            partitions: Array.from({ length: partitions }, (_, partitionIndex) =>
              createListOffsetsRequestPartition({ partitionIndex, timestamp: -1n }),
            ),
          }),
        ],
      }),
    );
    return r.body.topics[0]?.partitions.every((p) => p.errorCode === 0) ?? false;
  }

  close(): void {
    for (const s of SIDES) this.clients[s].close();
  }

  private compare<Res>(api: string, kafka: Outcome<Res>, logbook: Outcome<Res>): Difference[] {
    const named = (side: Side, o: Outcome<Res>): Outcome<Res> =>
      o.kind === "answer"
        ? { kind: "answer", body: renamed(o.body, this.aliases[side]) as Res }
        : o;
    return compareOutcomes(api, named("kafka", kafka), named("logbook", logbook));
  }
}

/** A copy of `v` with every value that has an alias replaced by it. */
function renamed(v: unknown, aliases: Map<unknown, string>): unknown {
  if (aliases.size === 0) return v;
  if (aliases.has(v)) return aliases.get(v);
  if (Array.isArray(v)) return v.map((e) => renamed(e, aliases));
  if (typeof v === "object" && v !== null && !(v instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renamed(x, aliases)]));
  }
  return v;
}

export function compareOutcomes<Res>(
  api: string,
  kafka: Outcome<Res>,
  logbook: Outcome<Res>,
): Difference[] {
  if (kafka.kind !== "answer" || logbook.kind !== "answer") {
    if (kafka.kind === logbook.kind) return [];
    return [{ path: "(outcome)", kafka: kafka.kind, logbook: logbook.kind }];
  }
  return diff(kafka.body, logbook.body).filter((d) => allowedDifference(api, d.path) === undefined);
}

export function assertSame<Res>(what: string, x: Exchange<Res>): void {
  if (x.differences.length === 0) return;
  assert.fail(
    `${what}: Logbook answers differently from Kafka\n  ${x.differences.map(describeDifference).join("\n  ")}`,
  );
}
