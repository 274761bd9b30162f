import { type Logger, type StorageEngine, silentLogger } from "@logbook/storage";
import { ClusterView, type LiveSet } from "../../src/cluster/cluster-view.js";
import { type BrokerConfig, brokerConfig } from "../../src/config.js";
import { createDataPlane, type DataPlane } from "../../src/data/index.js";
import { FeatureLevels } from "../../src/features.js";
import { BrokerGroups } from "../../src/groups/index.js";
import { allHandlers } from "../../src/handlers/index.js";
import { GroupConfigs } from "../../src/metadata/group-configs.js";
import { memoryQuotaStore } from "../../src/quotas/memory-quota-store.js";
import { brokerQuotas } from "../../src/quotas/quota-services.js";
import { HandlerRegistry } from "../../src/registry.js";
import { SaslAuthenticator } from "../../src/sasl/sasl-authenticator.js";
import { saslSettingsOf } from "../../src/sasl/sasl-settings-of.js";
import { memoryScramStore, ScramCredentials } from "../../src/sasl/scram-credentials.js";
import type { BrokerServices } from "../../src/services.js";
import { BrokerShareGroups } from "../../src/share/membership-service.js";
import { SharePartitionService } from "../../src/share/share-partition-service.js";
import type { TopicRegistry } from "../../src/topics.js";
import { TransactionCoordinator } from "../../src/txn/index.js";

export interface TestServices extends BrokerServices {
  readonly registry: HandlerRegistry;
  /** Closes what this helper created (not the storage, topics or parts passed in). */
  close(): Promise<void>;
}

/**
 * The BrokerServices handlers get, built from real parts for handler tests: what the
 * test passes, and for the rest a data plane, a group coordinator (replaying from
 * `storage`) and a transaction coordinator that is never loaded, so transactional ids
 * are refused. Listens nowhere: address and advertised are 127.0.0.1:9092.
 */
export function testServices(parts: {
  storage: StorageEngine;
  topics: TopicRegistry;
  groups?: BrokerGroups;
  dataPlane?: DataPlane;
  config?: BrokerConfig;
  logger?: Logger;
  /** Share-partition state; not loaded unless the test loads it. */
  share?: SharePartitionService;
  /** Other brokers sharing the data; by default this one is alone. */
  cluster?: LiveSet;
}): TestServices {
  const { storage, topics } = parts;
  const config = parts.config ?? brokerConfig();
  const logger = parts.logger ?? silentLogger;
  const dataPlane = parts.dataPlane ?? createDataPlane({ storage, logger });
  const groups = parts.groups ?? BrokerGroups.start(storage, topics, logger, config.groups);
  const shareGroups = BrokerShareGroups.start({
    log: groups.consumerOffsetsLog,
    topics,
    config: config.shareGroups,
    clock: storage.clock,
    logger,
  });
  const txn = new TransactionCoordinator({
    storage,
    logger,
    maxTimeoutMs: config.transactionMaxTimeoutMs,
    expirationMs: config.transactionalIdExpirationMs,
    allocateProducerId: async () => (await dataPlane.producerIds()).allocate(),
    abortCheckIntervalMs: 0,
    expiryCheckIntervalMs: 0,
  });
  const share = parts.share ?? new SharePartitionService(storage, logger);
  // Group configs kept in memory: these services have no metadata log of their own.
  const groupOverrides = new Map<string, ReadonlyMap<string, string>>();
  const groupConfigs = new GroupConfigs(config, {
    groupOverrides: (g) => groupOverrides.get(g),
    groupsWithOverrides: () => [...groupOverrides.keys()],
    setGroupOverrides: async (g, o) => {
      if (o.size === 0) groupOverrides.delete(g);
      else groupOverrides.set(g, o);
    },
  });
  const scram = new ScramCredentials(memoryScramStore());
  const sasl = new SaslAuthenticator(saslSettingsOf(config), scram, logger);
  const registry = new HandlerRegistry();
  for (const h of allHandlers()) registry.register(h);
  const address = { host: "127.0.0.1", port: 9092 };
  return {
    config,
    logger,
    storage,
    topics,
    groups,
    metrics: null,
    shareGroups,
    groupConfigs,
    dataPlane,
    txn,
    share,
    scram,
    sasl,
    quotas: brokerQuotas(memoryQuotaStore(), config),
    registry,
    features: new FeatureLevels(),
    // No authorizer: the ACL tests start real brokers with one.
    authorizer: null,
    address,
    advertised: address,
    advertisedFor: () => address,
    cluster: new ClusterView(
      { nodeId: config.nodeId, advertisedFor: () => address },
      parts.cluster ?? null,
    ),
    async close() {
      await txn.close();
      await shareGroups.close();
      if (parts.share === undefined) await share.close();
      if (parts.groups === undefined) await groups.close();
      if (parts.dataPlane === undefined) await dataPlane.close();
    },
  };
}
