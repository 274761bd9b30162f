/**
 * The typed broker configuration. Its fields, their types and their defaults come from
 * the schema's section tables; nothing here repeats a setting.
 */
import type { CoordinatorConfig } from "@logbook/group-coordinator";
import type { LogConfig } from "@logbook/storage";
import { AUTHORIZER_SETTINGS, type AuthorizerConfig } from "./authorizer-settings.js";
import { CLUSTER_SETTINGS, type ClusterConfig } from "./cluster-settings.js";
import { CONSOLE_SETTINGS, type ConsoleConfig } from "./console-settings.js";
import { type ConsumerGroupSettings, GROUP_CONSUMER_SETTINGS } from "./group-consumer-settings.js";
import { GROUP_SETTINGS } from "./group-settings.js";
import { INERT_TOPIC_SETTINGS, type InertTopicDefaults } from "./inert-topic-settings.js";
import { LIMIT_SETTINGS, type LimitConfig } from "./limit-settings.js";
import {
  DEFAULT_LISTENER_LAYOUT,
  LISTENER_SETTINGS,
  type ListenerConfig,
} from "./listener-settings.js";
import { LOG_SETTINGS } from "./log-settings.js";
import { METRICS_SETTINGS, type MetricsConfig } from "./metrics-settings.js";
import { OAUTH_SETTINGS, type OAuthConfig } from "./oauth-settings.js";
import { QUOTA_SETTINGS, type QuotaConfig } from "./quota-settings.js";
import { SASL_SETTINGS, type SaslConfig } from "./sasl-settings.js";
import { SERVER_SETTINGS, type ServerConfig } from "./server-settings.js";
import type { SectionSpecs } from "./setting.js";
import { SHARE_GROUP_SETTINGS, type ShareGroupSettings } from "./share-group-settings.js";
import { SSL_SETTINGS, type SslSettings } from "./ssl-settings.js";
import { TOPIC_POLICY_SETTINGS, type TopicPolicyConfig } from "./topic-policy-settings.js";
import { TXN_SETTINGS, type TxnConfig } from "./txn-settings.js";

export interface BrokerConfig
  extends ServerConfig,
    ListenerConfig,
    TopicPolicyConfig,
    TxnConfig,
    AuthorizerConfig,
    QuotaConfig,
    MetricsConfig,
    ConsoleConfig,
    LimitConfig,
    ClusterConfig {
  /** TLS settings of SSL listeners (ssl.*), before per-listener overrides. */
  ssl: SslSettings;
  /** Defaults for every topic's log (log.retention.ms, log.segment.bytes, …). */
  logDefaults: LogConfig;
  /** Consumer-group settings (group.*, offsets.retention.minutes, …). */
  groups: CoordinatorConfig & ConsumerGroupSettings;
  /** Share-group settings (group.share.*). */
  shareGroups: ShareGroupSettings;
  /** SASL settings (sasl.*, connections.max.reauth.ms). */
  sasl: SaslConfig;
  /** SASL/OAUTHBEARER settings (sasl.oauthbearer.*). */
  oauth: OAuthConfig;
  /** Broker defaults of topic configs that have no effect here, kept to be reported. */
  inertTopicDefaults: InertTopicDefaults;
  /** Settings a file, a flag or an environment variable gave (not a setting itself). */
  staticSettings: readonly string[];
}

function defaultsOf<C>(specs: SectionSpecs<C>): C {
  const out: Partial<C> = {};
  for (const key of Object.keys(specs) as (keyof C)[]) out[key] = specs[key].default;
  // Every key of C has an entry in specs (SectionSpecs is a total mapping).
  return out as C;
}

export const DEFAULT_BROKER_CONFIG: Readonly<BrokerConfig> = Object.freeze({
  ...defaultsOf(SERVER_SETTINGS),
  ...defaultsOf(LISTENER_SETTINGS),
  ...DEFAULT_LISTENER_LAYOUT,
  ssl: Object.freeze(defaultsOf(SSL_SETTINGS)),
  ...defaultsOf(TOPIC_POLICY_SETTINGS),
  ...defaultsOf(TXN_SETTINGS),
  ...defaultsOf(AUTHORIZER_SETTINGS),
  ...defaultsOf(QUOTA_SETTINGS),
  ...defaultsOf(METRICS_SETTINGS),
  ...defaultsOf(CONSOLE_SETTINGS),
  ...defaultsOf(LIMIT_SETTINGS),
  ...defaultsOf(CLUSTER_SETTINGS),
  logDefaults: Object.freeze(defaultsOf(LOG_SETTINGS)),
  groups: Object.freeze({
    ...defaultsOf(GROUP_SETTINGS),
    ...defaultsOf(GROUP_CONSUMER_SETTINGS),
  }),
  shareGroups: Object.freeze(defaultsOf(SHARE_GROUP_SETTINGS)),
  sasl: Object.freeze(defaultsOf(SASL_SETTINGS)),
  oauth: Object.freeze(defaultsOf(OAUTH_SETTINGS)),
  inertTopicDefaults: Object.freeze(defaultsOf(INERT_TOPIC_SETTINGS)),
  staticSettings: Object.freeze([]),
});

/** A config with its nested objects copied, for the loader to write into. */
export function copyConfig(c: Readonly<BrokerConfig>): BrokerConfig {
  return {
    ...c,
    logDefaults: { ...c.logDefaults, cleanupPolicy: { ...c.logDefaults.cleanupPolicy } },
    groups: { ...c.groups },
    ssl: { ...c.ssl },
    shareGroups: { ...c.shareGroups },
    sasl: { ...c.sasl },
    oauth: { ...c.oauth, expectedAudience: [...c.oauth.expectedAudience] },
    inertTopicDefaults: { ...c.inertTopicDefaults },
  };
}

/** The defaults with `overrides` on top; an unset advertised host follows the listen host. */
export function brokerConfig(overrides: Partial<BrokerConfig> = {}): BrokerConfig {
  const c = { ...DEFAULT_BROKER_CONFIG, ...overrides };
  if (c.advertisedHost === "") c.advertisedHost = c.host === "0.0.0.0" ? "127.0.0.1" : c.host;
  return c;
}
