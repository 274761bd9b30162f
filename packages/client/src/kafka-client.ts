/**
 * A client of one cluster: a bootstrap connection, Metadata for the brokers and leaders,
 * and one connection per broker opened when first needed (requests go to the leader,
 * the controller or a coordinator as Kafka's clients route them).
 */
import {
  createFindCoordinatorRequest,
  createMetadataRequest,
  createMetadataRequestTopic,
  FindCoordinatorApi,
  MetadataApi,
  type MetadataResponse,
} from "@logbook/protocol";
import { parseBootstrap } from "./bootstrap.js";
import { Connection, type ConnectionOptions } from "./connection.js";
import { ConnectionError, check, KafkaError } from "./kafka-error.js";
import { retrying } from "./retry.js";
import type { SaslOptions, TlsOptions } from "./security-options.js";

/** What every connection of a client opens with, whichever broker it goes to. */
type ConnectionSettings = Omit<ConnectionOptions, "host" | "port">;

export interface ClientOptions {
  /** Bootstrap servers, "host:port" each. */
  readonly brokers: readonly string[];
  readonly clientId?: string;
  readonly timeoutMs?: number;
  /** TLS for every connection (bootstrap and per broker). */
  readonly tls?: TlsOptions;
  /** SASL for every connection (bootstrap and per broker). */
  readonly sasl?: SaslOptions;
}

/** FindCoordinator's key types. */
export const CoordinatorType = { GROUP: 0, TRANSACTION: 1, SHARE: 2 } as const;

export class KafkaClient {
  private readonly connections = new Map<number, Promise<Connection>>();
  private lastMetadata: MetadataResponse | null = null;

  private constructor(
    private readonly bootstrapConnection: Connection,
    private readonly settings: ConnectionSettings,
  ) {}

  /** Connects to the first bootstrap server that answers. */
  static async connect(options: ClientOptions): Promise<KafkaClient> {
    const settings: ConnectionSettings = {
      clientId: options.clientId ?? "logbook-cli",
      timeoutMs: options.timeoutMs ?? 30_000,
      ...(options.tls === undefined ? {} : { tls: options.tls }),
      ...(options.sasl === undefined ? {} : { sasl: options.sasl }),
    };
    const failures: string[] = [];
    for (const { host, port } of parseBootstrap(options.brokers.join(","))) {
      try {
        return new KafkaClient(await Connection.open({ host, port, ...settings }), settings);
      } catch (e) {
        // A broker that refused the login answered: trying the next one would only repeat it.
        if (e instanceof KafkaError) throw e;
        failures.push((e as Error).message);
      }
    }
    throw new ConnectionError(`no broker reachable: ${failures.join("; ")}`);
  }

  /** The bootstrap connection: for requests any broker answers. */
  get any(): Connection {
    return this.bootstrapConnection;
  }

  /** Metadata of the given topics (all topics when null). */
  async metadata(topics: readonly string[] | null = null): Promise<MetadataResponse> {
    const { body } = await this.any.send(MetadataApi, (version) =>
      createMetadataRequest({
        topics:
          topics === null
            ? version === 0
              ? []
              : null
            : topics.map((name) => createMetadataRequestTopic({ name })),
        allowAutoTopicCreation: false,
      }),
    );
    this.lastMetadata = body;
    return body;
  }

  /** A connection to broker `nodeId` (as the last Metadata listed it). */
  async broker(nodeId: number): Promise<Connection> {
    let c = this.connections.get(nodeId);
    if (c === undefined) {
      const md = this.lastMetadata ?? (await this.metadata([]));
      const b = md.brokers.find((x) => x.nodeId === nodeId);
      if (b === undefined) throw new ConnectionError(`broker ${nodeId} is not in the metadata`);
      c = Connection.open({ host: b.host, port: b.port, ...this.settings });
      c.catch(() => this.connections.delete(nodeId));
      this.connections.set(nodeId, c);
    }
    return c;
  }

  /** The controller Kafka's admin requests go to (any broker of a KRaft cluster forwards). */
  async controller(): Promise<Connection> {
    const md = await this.metadata([]);
    return md.controllerId >= 0 ? this.broker(md.controllerId) : this.any;
  }

  /** The leader's node id of every partition of `topics`, by topic then partition. */
  async leaders(topics: readonly string[]): Promise<Map<string, Map<number, number>>> {
    const md = await this.metadata(topics);
    const out = new Map<string, Map<number, number>>();
    for (const t of md.topics) {
      check(t.errorCode, null, `topic ${t.name ?? ""}`);
      out.set(t.name ?? "", new Map(t.partitions.map((p) => [p.partitionIndex, p.leaderId])));
    }
    return out;
  }

  /** The node id of the coordinator of a group (or transactional id, or share group). */
  async coordinatorId(key: string, keyType: number = CoordinatorType.GROUP): Promise<number> {
    // Kafka answers COORDINATOR_NOT_AVAILABLE while it creates __consumer_offsets.
    const c = await retrying(async () => {
      const { version, body } = await this.any.send(FindCoordinatorApi, () =>
        createFindCoordinatorRequest({ key, keyType, coordinatorKeys: [key] }),
      );
      const found = version >= 4 ? body.coordinators[0] : body;
      if (found === undefined) throw new ConnectionError(`no coordinator answered for ${key}`);
      check(found.errorCode, found.errorMessage, `coordinator of ${key}`);
      return found;
    });
    if (this.lastMetadata === null || !this.lastMetadata.brokers.some((b) => b.nodeId === c.nodeId))
      await this.metadata([]);
    return c.nodeId;
  }

  /** A connection to the coordinator of a group (or transactional id, or share group). */
  async coordinator(key: string, keyType: number = CoordinatorType.GROUP): Promise<Connection> {
    return this.broker(await this.coordinatorId(key, keyType));
  }

  async close(): Promise<void> {
    this.bootstrapConnection.close();
    const open = await Promise.allSettled(this.connections.values());
    for (const r of open) if (r.status === "fulfilled") r.value.close();
  }
}
