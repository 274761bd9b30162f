import type { Logger, StorageEngine } from "@logbook/storage";
import type { Authorizer } from "./acl/authorizer.js";
import type { ClusterView } from "./cluster/cluster-view.js";
import type { BrokerConfig } from "./config.js";
import type { DataPlane } from "./data/index.js";
import type { FeatureLevels } from "./features.js";
import type { BrokerGroups } from "./groups/index.js";
import type { GroupConfigs } from "./metadata/group-configs.js";
import type { BrokerMetrics } from "./metrics/broker-metrics.js";
import type { BrokerQuotas } from "./quotas/quota-services.js";
import type { SaslAuthenticator } from "./sasl/sasl-authenticator.js";
import type { ScramCredentials } from "./sasl/scram-credentials.js";
import type { BrokerShareGroups } from "./share/membership-service.js";
import type { SharePartitionService } from "./share/share-partition-service.js";
import type { TopicRegistry } from "./topics.js";
import type { TransactionCoordinator } from "./txn/index.js";

/** One served API and its advertised range, as ApiVersions reports it. */
export interface ServedApi {
  readonly api: { readonly apiKey: number };
  readonly minVersion: number;
  readonly maxVersion: number;
}

/**
 * Everything a handler may use: the parts of the broker, never the broker itself, so
 * handlers do not depend on the composition root (broker.ts) and a test builds one
 * from real parts without casts. The Broker class satisfies it.
 */
export interface BrokerServices {
  readonly config: BrokerConfig;
  readonly logger: Logger;
  /** DescribeLogDirs lists what is on disk. */
  readonly storage: StorageEngine;
  readonly topics: TopicRegistry;
  readonly groups: BrokerGroups;
  /** Share-group membership (ShareGroupHeartbeat); the share-partition side asks it too. */
  readonly shareGroups: BrokerShareGroups;
  /** Per-group configs (DescribeConfigs/AlterConfigs on GROUP); the coordinators read `of(groupId)`. */
  readonly groupConfigs: GroupConfigs;
  /** ACL checks and the ACL APIs; null when no authorizer is configured (every request allowed). */
  readonly authorizer: Authorizer | null;
  readonly dataPlane: DataPlane;
  readonly txn: TransactionCoordinator;
  /** Share sessions, share-partition state and share-group membership (KIP-932). */
  readonly share: SharePartitionService;
  /** Finalized feature levels (ApiVersions, UpdateFeatures, transactions v2). */
  readonly features: FeatureLevels;
  /** Users' SCRAM credentials (Describe/AlterUserScramCredentials, SCRAM authentication). */
  readonly scram: ScramCredentials;
  /** Client quotas (Describe/AlterClientQuotas) and the measuring of clients against them. */
  readonly quotas: BrokerQuotas;
  /** Prometheus metrics the handlers feed (bytes per topic); null when metrics are off. */
  readonly metrics: BrokerMetrics | null;
  /** SASL on connections (SaslHandshake, SaslAuthenticate, who may be served). */
  readonly sasl: SaslAuthenticator;
  /**
   * The live brokers, each partition's leader and epoch, the controller (Metadata,
   * DescribeCluster, FindCoordinator); this broker alone unless the engine is shared.
   */
  readonly cluster: ClusterView;
  /** What ApiVersions advertises: the handler registry. */
  readonly registry: { list(): readonly ServedApi[] };
  /** Where the broker listens (the real port when configured with 0). */
  readonly address: { readonly host: string; readonly port: number };
  /** What clients are told to connect to: the first listener's advertised address. */
  readonly advertised: { readonly host: string; readonly port: number };
  /**
   * The advertised address of one listener (Metadata, FindCoordinator, DescribeCluster
   * answer with the one the request came in on, as Kafka does); null for a listener
   * advertised.listeners leaves out, on which Kafka advertises no broker.
   */
  advertisedFor(listenerName: string): { readonly host: string; readonly port: number } | null;
}
