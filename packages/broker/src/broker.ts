import {
  type Fs,
  type Logger,
  openStorageEngine,
  realFs,
  type StorageEngine,
  WriteFaults,
} from "@logbook/storage";
import type { AclStore } from "./acl/acl-store.js";
import { Authorizer } from "./acl/authorizer.js";
import type { BrokerConfig } from "./config.js";
import { createDataPlane, type DataPlane } from "./data/index.js";
import { FeatureLevels } from "./features.js";
import { consumerGroupTimeouts, shareGroupTimeouts } from "./groups/group-timeouts.js";
import { BrokerGroups } from "./groups/index.js";
import { allHandlers } from "./handlers/index.js";
import { type GroupConfigStore, GroupConfigs } from "./metadata/group-configs.js";
import { openTopicRegistry } from "./metadata/index.js";
import { HandlerRegistry } from "./registry.js";
import { type DispatchTarget, dispatch } from "./server/dispatch.js";
import { injectFailures, parseFailNext } from "./server/fail-next.js";
import { TcpServer } from "./server/tcp-server.js";
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
  /** Log raw request bytes when a request does not decode (LOGBOOK_DEBUG_FRAMES=1). */
  readonly debugFrames = process.env.LOGBOOK_DEBUG_FRAMES === "1";
  private readonly server: TcpServer;
  private boundAddress: { host: string; port: number } | null = null;

  private constructor(
    readonly config: BrokerConfig,
    readonly logger: Logger,
    readonly storage: StorageEngine,
    readonly topics: TopicRegistry & GroupConfigStore & AclStore,
    readonly groups: BrokerGroups,
    /** Per-group configs (ConfigResource GROUP), which the coordinators read. */
    readonly groupConfigs: GroupConfigs,
    /** Finalized feature levels; UpdateFeatures keeps its changes in the metadata log. */
    readonly features: FeatureLevels,
    readonly authorizer: Authorizer | null,
  ) {
    for (const h of allHandlers()) this.registry.register(h);
    injectFailures(this.registry, parseFailNext(process.env.LOGBOOK_FAIL_NEXT), logger);
    this.dataPlane = createDataPlane(this);
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
    this.server = new TcpServer({
      maxFrameSize: config.socketRequestMaxBytes,
      idleMs: config.connectionsMaxIdleMs,
      maxPendingBytes: config.maxPendingResponseBytes,
      maxInFlight: 64,
      logger,
      handle: (frame, session) => dispatch(frame, this, session, logger),
    });
  }

  static async start(config: BrokerConfig, logger: Logger): Promise<Broker> {
    const storage = await openStorageEngine(config.dataDir, {
      logger,
      maintenanceIntervalMs: config.logRetentionCheckIntervalMs,
      fs: testWriteFaults(),
    });
    const topics = await openTopicRegistry(storage, config, logger);
    const groupConfigs = new GroupConfigs(config, topics);
    const groups = BrokerGroups.start(
      storage,
      topics,
      logger,
      config.groups,
      consumerGroupTimeouts(groupConfigs),
    );
    const features = new FeatureLevels(topics);
    const authorizer = Authorizer.open(config, topics, logger);
    const broker = new Broker(
      config,
      logger,
      storage,
      topics,
      groups,
      groupConfigs,
      features,
      authorizer,
    );
    await broker.txn.load();
    await broker.share.load();
    wireTransactions(broker);
    broker.boundAddress = await broker.server.listen(config.host, config.port);
    return broker;
  }

  /** Where the broker listens (the real port when configured with 0). */
  get address(): { host: string; port: number } {
    if (this.boundAddress === null) throw new Error("broker is not listening");
    return this.boundAddress;
  }

  /** What clients are told to connect to (Metadata, FindCoordinator, DescribeCluster). */
  get advertised(): { host: string; port: number } {
    return {
      host: this.config.advertisedHost,
      port: this.config.advertisedPort > 0 ? this.config.advertisedPort : this.address.port,
    };
  }

  async stop(): Promise<void> {
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
      this.server.close(),
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
