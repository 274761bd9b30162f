import type { ConsoleServer } from "@logbook/console";
import {
  type Fs,
  type Logger,
  monotonicMs,
  openStorageEngine,
  realFs,
  type StorageEngine,
  WriteFaults,
} from "@logbook/storage";
import type { AclStore } from "./acl/acl-store.js";
import { Authorizer } from "./acl/authorizer.js";
import { ClusterView } from "./cluster/cluster-view.js";
import { followLeadership } from "./cluster/leadership-moves.js";
import { routeMarkers } from "./cluster/marker-routing.js";
import { PeerClients } from "./cluster/peer-clients.js";
import {
  interBrokerListenerName,
  type ListenerPlan,
  planListeners,
} from "./config/listener-plan.js";
import type { BrokerConfig } from "./config.js";
import { createDataPlane, type DataPlane } from "./data/index.js";
import { FEATURES, FeatureLevels, sharedDatabaseFeatures } from "./features.js";
import { consumerGroupTimeouts, shareGroupTimeouts } from "./groups/group-timeouts.js";
import { BrokerGroups } from "./groups/index.js";
import { allHandlers } from "./handlers/index.js";
import { type GroupConfigStore, GroupConfigs } from "./metadata/group-configs.js";
import { openTopicRegistry } from "./metadata/index.js";
import type { BrokerMetrics } from "./metrics/broker-metrics.js";
import type { MetricsServer } from "./metrics/metrics-server.js";
import { timedFs } from "./metrics/timed-fs.js";
import type { ClientQuotaStore } from "./quotas/client-quotas.js";
import { ipConnectionRate } from "./quotas/ip-connection-rate.js";
import { type BrokerQuotas, brokerQuotas } from "./quotas/quota-services.js";
import { HandlerRegistry } from "./registry.js";
import { SaslAuthenticator } from "./sasl/sasl-authenticator.js";
import { saslSettingsOf } from "./sasl/sasl-settings-of.js";
import { type ScramCredentialStore, ScramCredentials } from "./sasl/scram-credentials.js";
import type { ClientSession } from "./server/client-session.js";
import { connectionLimits } from "./server/connection-limits.js";
import { type ConnectionLimitConfig, ConnectionQuotas } from "./server/connection-quotas.js";
import { type DispatchTarget, dispatch } from "./server/dispatch.js";
import { injectFailures, parseFailNext } from "./server/fail-next.js";
import { TcpServer } from "./server/tcp-server.js";
import { readSecureContextOptions } from "./server/tls-credentials.js";
import { BrokerShareGroups } from "./share/membership-service.js";
import { groupSharePartitionSettings, sharePartitionSettings } from "./share/partition-settings.js";
import { SharePartitionService } from "./share/share-partition-service.js";
import type { TopicRegistry } from "./topics.js";
import { TransactionCoordinator, wireTransactions } from "./txn/index.js";

/**
 * A running broker: the storage engine, the topic registry (replayed from the metadata
 * log), the data plane (produce/fetch state), the group coordinator (replayed from
 * __consumer_offsets in the background), the transaction coordinator (replayed from
 * __transaction_state before listening), the share-partition state (replayed from
 * __share_group_state before listening), the handler registry and the TCP server.
 * Start with `Broker.start(config)`; `stop()` stops accepting, finishes in-flight
 * requests, then flushes and checkpoints every log.
 */
export class Broker implements DispatchTarget {
  readonly registry = new HandlerRegistry();
  readonly dataPlane: DataPlane;
  readonly txn: TransactionCoordinator;
  readonly shareGroups: BrokerShareGroups;
  readonly share: SharePartitionService;
  readonly scram: ScramCredentials;
  readonly sasl: SaslAuthenticator;
  readonly quotas: BrokerQuotas;
  readonly cluster: ClusterView;
  /** Requests to the brokers sharing this one's database. */
  readonly peers: PeerClients;
  /** Log raw request bytes when a request does not decode (LOGBOOK_DEBUG_FRAMES=1). */
  readonly debugFrames = process.env.LOGBOOK_DEBUG_FRAMES === "1";
  private readonly servers: readonly { plan: ListenerPlan; server: TcpServer }[];
  private metricsServer: MetricsServer | null = null;
  /** Stops acting on leadership changes (brokers sharing a database). */
  private stopFollowing: () => void = () => {};
  private consoleServer: ConsoleServer | null = null;
  /** How long each step of start() took, in ms (logged by the CLI; bench/lib/footprint.ts). */
  startupPhasesMs: Record<string, number> = {};
  /** Bound address of each listener, by name, in `listeners` order. */
  private readonly bound = new Map<string, { host: string; port: number }>();

  private constructor(
    readonly config: BrokerConfig,
    readonly logger: Logger,
    readonly storage: StorageEngine,
    readonly topics: TopicRegistry &
      GroupConfigStore &
      ScramCredentialStore &
      AclStore &
      ClientQuotaStore,
    readonly groups: BrokerGroups,
    /** Per-group configs (ConfigResource GROUP), which the coordinators read. */
    readonly groupConfigs: GroupConfigs,
    /** Finalized feature levels; UpdateFeatures keeps its changes in the metadata log. */
    readonly features: FeatureLevels,
    listeners: readonly ListenerPlan[],
    readonly authorizer: Authorizer | null,
    /** Prometheus metrics; null unless metrics.port is set. */
    readonly metrics: BrokerMetrics | null,
    limits: ConnectionLimitConfig,
  ) {
    for (const h of allHandlers()) this.registry.register(h);
    this.cluster = new ClusterView(
      { nodeId: config.nodeId, advertisedFor: (l) => this.advertisedFor(l) },
      storage.cluster ?? null,
    );
    this.peers = new PeerClients(
      this.cluster,
      interBrokerListenerName(config),
      `logbook-broker-${config.nodeId}`,
      logger.child({ component: "peers" }),
    );
    injectFailures(this.registry, parseFailNext(process.env.LOGBOOK_FAIL_NEXT), logger);
    this.dataPlane = createDataPlane(this);
    topics.onPartitionsDropped((topic, partitions) => this.dataPlane.dropTopic(topic, partitions));
    this.scram = new ScramCredentials(topics);
    this.sasl = new SaslAuthenticator(saslSettingsOf(config), this.scram, logger);
    this.quotas = brokerQuotas(topics, config);
    this.shareGroups = BrokerShareGroups.start({
      log: groups.consumerOffsetsLog,
      topics,
      config: config.shareGroups,
      groupTimeouts: shareGroupTimeouts(groupConfigs),
      clock: storage.clock,
      logger,
      onMemberRemoved: (group, member) => {
        this.share.memberLeft(group, member).catch((e: unknown) =>
          logger.warn("releasing a departed share member's records failed", {
            group,
            member,
            error: e instanceof Error ? e.message : String(e),
          }),
        );
      },
    });
    this.txn = new TransactionCoordinator({
      storage,
      clock: storage.clock,
      logger: logger.child({ component: "txn" }),
      maxTimeoutMs: config.transactionMaxTimeoutMs,
      expirationMs: config.transactionalIdExpirationMs,
      abortCheckIntervalMs: config.transactionAbortTimedOutCheckIntervalMs,
      expiryCheckIntervalMs: config.transactionRemoveExpiredCheckIntervalMs,
      allocateProducerId: async () => (await this.dataPlane.producerIds()).allocate(),
    });
    const shareDefaults = sharePartitionSettings({
      deliveryCountLimit: config.shareGroups.deliveryCountLimit,
      lockDurationMs: config.shareGroups.recordLockDurationMs,
      maxInFlightRecords: config.shareGroups.partitionMaxRecordLocks,
      maxShareSessions: config.shareGroups.maxShareSessions,
    });
    this.share = new SharePartitionService(storage, logger, shareDefaults, (group) =>
      groupSharePartitionSettings(shareDefaults, this.groupConfigs.of(group)),
    );
    this.share.attachMembership(this.shareGroups);
    const serverOptions = {
      maxFrameSize: config.socketRequestMaxBytes,
      idleMs: config.connectionsMaxIdleMs,
      maxPendingBytes: config.maxPendingResponseBytes,
      maxInFlight: 64,
      logger,
      handle: (frame: Buffer, session: ClientSession) => dispatch(frame, this, session, logger),
      connectionQuotas: new ConnectionQuotas(limits, ipConnectionRate(topics.clientQuotas)),
    };
    this.servers = listeners.map((plan) => ({ plan, server: new TcpServer(serverOptions, plan) }));
  }

  static async start(config: BrokerConfig, logger: Logger): Promise<Broker> {
    const phases: Record<string, number> = {};
    let last = monotonicMs();
    const lap = (phase: string): void => {
      const now = monotonicMs();
      phases[phase] = Math.round((now - last) * 10) / 10;
      last = now;
    };
    // Listener settings and TLS files are checked before any data is opened.
    const listeners = planListeners(config);
    for (const l of listeners) if (l.ssl !== null) readSecureContextOptions(l.ssl);
    // Metrics (prom-client, an HTTP server) and the console are loaded only when turned
    // on: a broker without them should not pay for them at start-up.
    const metrics =
      config.metricsPort >= 0
        ? new (await import("./metrics/broker-metrics.js")).BrokerMetrics()
        : null;
    const faults = testWriteFaults();
    const limits = await connectionLimits(
      config,
      listeners.map((l) => l.name),
    );
    lap("listenerPlan");
    const storage = await openStorageEngine(config.dataDir, {
      logger,
      maintenanceIntervalMs: config.logRetentionCheckIntervalMs,
      checkpointIntervalMs: config.logFlushOffsetCheckpointIntervalMs,
      fs: metrics === null ? faults : timedFs(faults ?? realFs, (s) => metrics.fsyncTook(s)),
      cluster: {
        heartbeatIntervalMs: config.brokerHeartbeatIntervalMs,
        sessionTimeoutMs: config.brokerSessionTimeoutMs,
      },
    });
    lap("storageOpen");
    const topics = await openTopicRegistry(storage, config, logger);
    lap("metadataReplay");
    const groupConfigs = new GroupConfigs(config, topics);
    const groups = BrokerGroups.start(
      storage,
      topics,
      logger,
      config.groups,
      consumerGroupTimeouts(groupConfigs),
    );
    const features = new FeatureLevels(
      topics,
      storage.cluster === undefined ? FEATURES : sharedDatabaseFeatures(),
    );
    const authorizer = Authorizer.open(config, topics, logger);
    const broker = new Broker(
      config,
      logger,
      storage,
      topics,
      groups,
      groupConfigs,
      features,
      listeners,
      authorizer,
      metrics,
      limits,
    );
    // Brokers sharing a database: transactions are completed by whichever one
    // followLeadership names, not by every broker that starts.
    lap("coordinators");
    if (storage.cluster !== undefined) broker.txn.stepDown();
    // Two logs of their own, replayed side by side: each is mostly thread-pool waits.
    await Promise.all([broker.txn.load(), broker.share.load()]);
    lap("txnAndShareReplay");
    wireTransactions(
      broker,
      routeMarkers(
        broker.cluster,
        broker.dataPlane,
        broker.peers,
        logger.child({ component: "txn" }),
      ),
    );
    for (const { plan, server } of broker.servers)
      broker.bound.set(plan.name, await server.listen(plan.host, plan.port));
    lap("listen");
    await broker.joinCluster();
    broker.stopFollowing = followLeadership({
      membership: storage.cluster,
      view: broker.cluster,
      groups,
      txn: broker.txn,
      dataPlane: broker.dataPlane,
      logger,
    });
    if (metrics !== null) {
      metrics.attach({
        topics,
        groups,
        connections: () =>
          broker.servers.map(({ plan, server }) => ({
            listener: plan.name,
            count: server.connectionCount,
          })),
      });
      const { MetricsServer } = await import("./metrics/metrics-server.js");
      broker.metricsServer = await MetricsServer.listen(
        metrics,
        config.metricsHost === "" ? broker.address.host : config.metricsHost,
        config.metricsPort,
        logger,
      );
    }
    if (config.consolePort >= 0) {
      // The console is a client like any other, of this broker's first listener.
      const { host, port } = broker.address;
      const { ConsoleServer } = await import("@logbook/console");
      broker.consoleServer = await ConsoleServer.start({
        client: {
          brokers: [formatHostPort(host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host, port)],
        },
        host: config.consoleHost === "" ? host : config.consoleHost,
        port: config.consolePort,
        allowWrites: config.consoleAllowWrites,
        lagSampleMs: config.consoleLagSampleMs,
        onError: (e) =>
          logger.debug("console request failed", {
            error: e instanceof Error ? e.message : String(e),
          }),
      });
    }
    lap("clusterMetricsConsole");
    broker.startupPhasesMs = phases;
    return broker;
  }

  /**
   * Registers this broker with its advertised endpoints (known once the listeners are
   * bound) when the engine is shared; a refusal (a live broker with the same node id)
   * stops the broker and fails start-up.
   */
  private async joinCluster(): Promise<void> {
    const cluster = this.storage.cluster;
    if (cluster === undefined) return;
    const endpoints = this.servers
      .filter(({ plan }) => plan.advertised)
      .map(({ plan }) => ({
        listener: plan.name,
        securityProtocol: plan.securityProtocol,
        ...this.addressFor(plan),
      }));
    try {
      await cluster.register({ nodeId: this.config.nodeId, rack: null, endpoints });
    } catch (e) {
      await this.stop().catch(() => {});
      throw e;
    }
  }

  /** The web console's address; null when it is off. */
  get consoleUrl(): string | null {
    return this.consoleServer?.url ?? null;
  }

  /** Where the metrics endpoint listens; null when metrics are off. */
  get metricsAddress(): { host: string; port: number } | null {
    return this.metricsServer?.address ?? null;
  }

  /** Where the first listener listens (the real port when configured with 0). */
  get address(): { host: string; port: number } {
    return this.addressOf(this.servers[0]?.plan.name ?? "");
  }

  /** Every listener with its bound address, in `listeners` order. */
  get listeners(): { name: string; securityProtocol: string; host: string; port: number }[] {
    return this.servers.map(({ plan }) => ({
      name: plan.name,
      securityProtocol: plan.securityProtocol,
      ...this.addressOf(plan.name),
    }));
  }

  private addressOf(listenerName: string): { host: string; port: number } {
    const a = this.bound.get(listenerName);
    if (a === undefined) throw new Error(`broker is not listening on ${listenerName}`);
    return a;
  }

  /** What clients are told to connect to on the first listener (its address, advertised or not). */
  get advertised(): { host: string; port: number } {
    const plan = this.servers[0]?.plan;
    if (plan === undefined) throw new Error("broker has no listener");
    return this.addressFor(plan);
  }

  advertisedFor(listenerName: string): { host: string; port: number } | null {
    const plan = (this.servers.find((s) => s.plan.name === listenerName) ?? this.servers[0])?.plan;
    if (plan === undefined) throw new Error("broker has no listener");
    return plan.advertised ? this.addressFor(plan) : null;
  }

  private addressFor(plan: ListenerPlan): { host: string; port: number } {
    const port = plan.advertisedPort > 0 ? plan.advertisedPort : this.addressOf(plan.name).port;
    return { host: plan.advertisedHost, port };
  }

  async stop(): Promise<void> {
    this.stopFollowing();
    this.peers.close();
    // Leaving first lets the other brokers take over this one's partitions at once.
    await this.storage.cluster?.close();
    // Closing the data plane first wakes long-polling fetches, so in-flight requests
    // finish at once instead of holding shutdown for their max_wait_ms.
    // The coordinator closes with them: a JoinGroup waiting for a rebalance is answered
    // at once rather than holding shutdown for the rebalance timeout.
    // The transaction coordinator stops first: its marker writes need the data plane.
    await this.txn.close();
    await Promise.all([
      this.dataPlane.close(),
      this.groups.close(),
      this.shareGroups.close(),
      ...this.servers.map((s) => s.server.close()),
      this.metricsServer?.close(),
      this.consoleServer?.close(),
    ]);
    await this.share.close();
    await this.storage.close();
  }
}

/**
 * Test-only (integration-tests/resource-faults.test.ts): with LOGBOOK_TEST_FS_FAULT set
 * to ENOSPC or EROFS, storage runs on the real file system behind a switch that SIGUSR2
 * flips; while it is on, writes fail with that error (see WriteFaults). Each flip says
 * "fs-fault: on" / "fs-fault: off" on stderr so the test knows it took effect.
 */
function testWriteFaults(): Fs | undefined {
  const code = process.env.LOGBOOK_TEST_FS_FAULT;
  if (code !== "ENOSPC" && code !== "EROFS") return undefined;
  const faults = new WriteFaults(realFs, code);
  process.on("SIGUSR2", () => {
    faults.active = !faults.active;
    process.stderr.write(`fs-fault: ${faults.active ? "on" : "off"}\n`);
  });
  return faults.fs;
}

function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
