import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type ApiCodec,
  buildBatch,
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  type ProducerRecord,
} from "@logbook/protocol";
import {
  type LogConfig,
  logConfig,
  openStorageEngine,
  type PartitionLog,
  type StorageEngine,
  silentLogger,
} from "@logbook/storage";
import type { LiveSet } from "../../src/cluster/cluster-view.js";
import { createDataPlane, type DataPlane } from "../../src/data/index.js";
import { NO_RESPONSE } from "../../src/handler.js";
import { plaintextSession } from "../../src/server/client-session.js";
import type { SharePartitionService } from "../../src/share/share-partition-service.js";
import type { AdminResult, TopicCreateResult, TopicInfo, TopicRegistry } from "../../src/topics.js";
import { type TestServices, testServices } from "./test-services.js";

/** A TopicRegistry double on a real storage engine: topics are added by the test. */
export class TestTopics implements TopicRegistry {
  private readonly byName = new Map<string, TopicInfo>();

  constructor(private readonly storage: StorageEngine) {}

  add(
    name: string,
    partitions = 1,
    opts: {
      log?: Partial<LogConfig>;
      maxMessageBytes?: number;
      internal?: boolean;
      timestampLimits?: { beforeMaxMs: number; afterMaxMs: number };
      /** The topic id (a restart test re-adds a topic with the id it had). */
      id?: Buffer;
    } = {},
  ): TopicInfo {
    const info: TopicInfo = {
      name,
      id: opts.id ?? randomBytes(16),
      partitions,
      overrides: new Map(),
      logConfig: logConfig(opts.log),
      maxMessageBytes: opts.maxMessageBytes ?? 1048588,
      timestampLimits: opts.timestampLimits ?? {
        beforeMaxMs: Number.MAX_SAFE_INTEGER,
        afterMaxMs: 60 * 60 * 1000,
      },
      internal: opts.internal ?? false,
    };
    this.byName.set(name, info);
    return info;
  }

  get(name: string): TopicInfo | undefined {
    return this.byName.get(name);
  }
  getById(id: Buffer): TopicInfo | undefined {
    return [...this.byName.values()].find((t) => t.id.equals(id));
  }
  list(): TopicInfo[] {
    return [...this.byName.values()];
  }
  async partition(topic: string, partition: number): Promise<PartitionLog | undefined> {
    const t = this.byName.get(topic);
    if (t === undefined || partition < 0 || partition >= t.partitions) return undefined;
    return this.storage.open({ topic, partition }, t.logConfig);
  }
  openedPartition(topic: string, partition: number): PartitionLog | undefined | null {
    const t = this.byName.get(topic);
    // Always the slow path here, so the handlers' asynchronous one stays covered.
    return t === undefined || partition < 0 || partition >= t.partitions ? undefined : null;
  }
  async create(): Promise<TopicCreateResult> {
    throw new Error("not used by data-plane tests");
  }
  async autoCreate(): Promise<TopicCreateResult> {
    throw new Error("not used by data-plane tests");
  }
  readonly clusterId = "data-plane-tests";
  async deleteTopic(): Promise<AdminResult> {
    throw new Error("not used by data-plane tests");
  }
  onPartitionsDropped(): void {
    // Topics are never deleted here.
  }
  async createPartitions(): Promise<AdminResult> {
    throw new Error("not used by data-plane tests");
  }
  async setOverrides(): Promise<AdminResult> {
    throw new Error("not used by data-plane tests");
  }
}

export interface DataTestBroker {
  broker: TestServices;
  storage: StorageEngine;
  topics: TestTopics;
  dataPlane: DataPlane;
  /** Encodes the request at `version`, runs the handler, decodes the response: a wire round trip. */
  call<Req, Res>(api: ApiCodec<Req, Res>, version: number, request: Req): Promise<Res>;
  /** Like call, for requests that get no response (acks=0): returns whether one came. */
  callRaw<Req>(api: ApiCodec<Req, unknown>, version: number, request: Req): Promise<Buffer | null>;
  close(): Promise<void>;
}

/**
 * A minimal broker for handler tests: a real storage engine (memory: by default, or a
 * file: URL), the TopicRegistry double and a real data plane. It keeps working when
 * the metadata work lands because it never starts the real registry.
 */
export async function dataTestBroker(
  location = "memory:",
  maxFetchSessions?: number,
  parts: {
    share?: (storage: StorageEngine) => SharePartitionService;
    /** Other brokers sharing the data (a fake membership); by default this one is alone. */
    cluster?: LiveSet;
  } = {},
): Promise<DataTestBroker> {
  const storage = await openStorageEngine(location, {
    logger: silentLogger,
    maintenanceIntervalMs: 0,
  });
  const topics = new TestTopics(storage);
  const dataPlane = createDataPlane({ storage, logger: silentLogger }, maxFetchSessions);
  const share = parts.share?.(storage);
  const broker = testServices({
    storage,
    topics,
    dataPlane,
    ...(share ? { share } : {}),
    ...(parts.cluster ? { cluster: parts.cluster } : {}),
  });
  const { registry } = broker;
  let correlationId = 0;

  const callRaw = async <Req>(
    api: ApiCodec<Req, unknown>,
    version: number,
    request: Req,
  ): Promise<Buffer | null> => {
    const handler = registry.get(api.apiKey);
    if (handler === undefined) throw new Error(`no handler for ${api.name}`);
    const id = ++correlationId;
    const frame = encodeRequestFrame(
      api,
      version,
      { correlationId: id, clientId: "test" },
      request,
    );
    const decoded = decodeRequestFrame(api, frame.subarray(4));
    // A broker's socket holds the event loop while a request is in flight; here nothing
    // would, and the real clock's timers (a long-poll's wait) are unref'd.
    const inFlight = setInterval(() => {}, 1 << 30);
    let response: Awaited<ReturnType<typeof handler.handle>>;
    try {
      response = await handler.handle(decoded.body, {
        header: decoded.header,
        version,
        broker,
        peer: "test",
        session: plaintextSession("test"),
      });
    } finally {
      clearInterval(inFlight);
    }
    if (response === NO_RESPONSE) return null;
    return encodeResponseFrame(handler.api, version, id, response);
  };

  return {
    broker,
    storage,
    topics,
    dataPlane,
    callRaw,
    async call<Req, Res>(api: ApiCodec<Req, Res>, version: number, request: Req): Promise<Res> {
      const frame = await callRaw(api as ApiCodec<Req, unknown>, version, request);
      if (frame === null) throw new Error(`${api.name} v${version} sent no response`);
      return decodeResponseFrame(api, version, frame.subarray(4)).body;
    },
    async close() {
      await broker.close();
      await share?.close();
      await dataPlane.close();
      await storage.close();
    },
  };
}

/** A temp directory as a file: engine URL, and its removal. */
export async function tempEngine(): Promise<{ url: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "logbook-data-"));
  return { url: pathToFileURL(dir).href, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** `n` records with values "<prefix>0", "<prefix>1", … and optional keys. */
export function records(
  n: number,
  prefix = "v",
  keyed = false,
  timestamp = 1_700_000_000_000n,
): ProducerRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    timestamp: timestamp + BigInt(i),
    key: keyed ? Buffer.from(`k${i}`) : null,
    value: Buffer.from(`${prefix}${i}`),
  }));
}

/** A batch as an idempotent producer sends it. */
export function idempotentBatch(
  producerId: bigint,
  producerEpoch: number,
  baseSequence: number,
  count = 1,
  prefix = "v",
): Promise<Buffer> {
  return buildBatch(records(count, prefix), { producerId, producerEpoch, baseSequence });
}
