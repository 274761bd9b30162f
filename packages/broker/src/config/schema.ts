/**
 * The config schema, assembled: every broker setting as one row (from the section
 * tables and the spellings) and every topic config (the topic side of the broker
 * settings plus the topic-only ones). Config sources, --help, the README table and
 * DescribeConfigs all read these lists; nothing else lists settings.
 */
import { AUTHORIZER_SETTINGS, type AuthorizerConfig } from "./authorizer-settings.js";
import { CLUSTER_SETTINGS, type ClusterConfig } from "./cluster-settings.js";
import { CONSOLE_SETTINGS, type ConsoleConfig } from "./console-settings.js";
import { GROUP_CONSUMER_SETTINGS } from "./group-consumer-settings.js";
import { GROUP_SETTINGS } from "./group-settings.js";
import { INERT_TOPIC_SETTINGS, TOPIC_ONLY_CONFIGS } from "./inert-topic-settings.js";
import { LIMIT_SETTINGS, type LimitConfig } from "./limit-settings.js";
import { LISTENER_SETTINGS, type ListenerSettings } from "./listener-settings.js";
import { LOG_SETTINGS } from "./log-settings.js";
import { METRICS_SETTINGS, type MetricsConfig } from "./metrics-settings.js";
import { OAUTH_SETTINGS } from "./oauth-settings.js";
import { QUOTA_SETTINGS, type QuotaConfig } from "./quota-settings.js";
import { type BrokerSetting, sectionRows } from "./rows.js";
import { SASL_SETTINGS } from "./sasl-settings.js";
import { SERVER_SETTINGS, type ServerConfig } from "./server-settings.js";
import type { TopicConfigDef } from "./setting.js";
import { SHARE_GROUP_SETTINGS } from "./share-group-settings.js";
import { LISTENER_SPELLINGS, LOG_SPELLINGS, SERVER_SPELLINGS } from "./spellings.js";
import { SSL_SETTINGS } from "./ssl-settings.js";
import { TOPIC_POLICY_SETTINGS, type TopicPolicyConfig } from "./topic-policy-settings.js";
import { TXN_SETTINGS, type TxnConfig } from "./txn-settings.js";

/** Every broker setting, in the order the docs list them. */
export const BROKER_SETTINGS: readonly BrokerSetting[] = [
  ...sectionRows<ServerConfig>(SERVER_SETTINGS, (c) => c),
  ...SERVER_SPELLINGS,
  ...LISTENER_SPELLINGS,
  ...sectionRows<ListenerSettings>(LISTENER_SETTINGS, (c) => c),
  ...sectionRows(SSL_SETTINGS, (c) => c.ssl),
  ...sectionRows<TopicPolicyConfig>(TOPIC_POLICY_SETTINGS, (c) => c),
  ...sectionRows<TxnConfig>(TXN_SETTINGS, (c) => c),
  ...sectionRows<AuthorizerConfig>(AUTHORIZER_SETTINGS, (c) => c),
  ...sectionRows<QuotaConfig>(QUOTA_SETTINGS, (c) => c),
  ...sectionRows<MetricsConfig>(METRICS_SETTINGS, (c) => c),
  ...sectionRows<ConsoleConfig>(CONSOLE_SETTINGS, (c) => c),
  ...sectionRows<LimitConfig>(LIMIT_SETTINGS, (c) => c),
  ...sectionRows<ClusterConfig>(CLUSTER_SETTINGS, (c) => c),
  ...sectionRows(GROUP_SETTINGS, (c) => c.groups),
  ...sectionRows(SHARE_GROUP_SETTINGS, (c) => c.shareGroups),
  ...sectionRows(SASL_SETTINGS, (c) => c.sasl),
  ...sectionRows(OAUTH_SETTINGS, (c) => c.oauth),
  ...sectionRows(GROUP_CONSUMER_SETTINGS, (c) => c.groups),
  ...sectionRows(
    LOG_SETTINGS,
    (c) => c.logDefaults,
    (log) => log,
  ),
  ...LOG_SPELLINGS,
  ...sectionRows(INERT_TOPIC_SETTINGS, (c) => c.inertTopicDefaults),
];

/**
 * Every topic config, by name. Compared by code unit, not localeCompare: the names are
 * lower-case ASCII (the same order), and the first localeCompare loads ICU's collation
 * data, which cost `logbook start` some 5 ms and resident memory at module load.
 */
export const TOPIC_CONFIG_DEFS: readonly TopicConfigDef[] = [
  ...BROKER_SETTINGS.flatMap((s) => (s.topic === undefined ? [] : [s.topic])),
  ...TOPIC_ONLY_CONFIGS,
].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/** LOGBOOK_ + the upper-cased name, dots (and dashes) as underscores. */
export function envVarName(name: string): string {
  return `LOGBOOK_${name.toUpperCase().replace(/[.-]/g, "_")}`;
}

const RUN_MEANS: Readonly<Record<number, string>> = { 1: ".", 2: "_", 3: "-" };

/**
 * The property a LOGBOOK_* variable names by the Confluent and Bitnami image rule
 * (`___` is a dash, `__` an underscore, `_` a dot, longest first), for names envVarName
 * cannot give back: LOGBOOK_LISTENER_NAME_SASL__SSL_SCRAM___SHA___256_SASL_JAAS_CONFIG
 * is listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config.
 */
export function propertyOfEnvVar(variable: string): string {
  return variable
    .slice("LOGBOOK_".length)
    .toLowerCase()
    .replace(/___|__|_/g, (run) => RUN_MEANS[run.length] ?? run);
}

function uniqueIndex<T>(items: readonly T[], key: (t: T) => string, what: string): Map<string, T> {
  const m = new Map<string, T>();
  for (const t of items) {
    const k = key(t);
    if (m.has(k)) throw new Error(`config schema: ${what} ${k} defined twice`);
    m.set(k, t);
  }
  return m;
}

const BY_NAME = uniqueIndex(BROKER_SETTINGS, (s) => s.name, "setting");
const BY_ENV = uniqueIndex(BROKER_SETTINGS, (s) => envVarName(s.name), "environment variable");
const BY_FLAG = uniqueIndex(
  BROKER_SETTINGS.filter((s) => s.flag !== undefined),
  (s) => s.flag ?? "",
  "flag",
);
const TOPIC_BY_NAME = uniqueIndex(TOPIC_CONFIG_DEFS, (d) => d.name, "topic config");

export function findSetting(name: string): BrokerSetting | undefined {
  return BY_NAME.get(name);
}

export function findSettingByEnv(variable: string): BrokerSetting | undefined {
  return BY_ENV.get(variable);
}

export function findSettingByFlag(flag: string): BrokerSetting | undefined {
  return BY_FLAG.get(flag);
}

export function topicConfigDef(name: string): TopicConfigDef | undefined {
  return TOPIC_BY_NAME.get(name);
}
