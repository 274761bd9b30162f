/**
 * listener.name.<listener>.<setting>: a setting for one listener only, as Kafka allows
 * (the listener name in lower case): the ssl.* settings, sasl.enabled.mechanisms, and
 * <mechanism>.sasl.jaas.config (e.g. listener.name.sasl_plaintext.plain.sasl.jaas.config,
 * which has no listener-wide form), <mechanism>.sasl.server.callback.handler.class, and
 * the connection limits max.connections and max.connection.creation.rate.
 * Kept as text by listener and read with the setting's own kind when that listener starts.
 */
import type { BrokerConfig } from "./broker-config.js";
import { text } from "./kinds.js";
import { LIMIT_SETTINGS } from "./limit-settings.js";
import type { BrokerSetting } from "./rows.js";
import { SASL_SETTINGS } from "./sasl-settings.js";
import { type SettingSpec, setting } from "./setting.js";
import { SSL_SETTINGS, type SslSettings } from "./ssl-settings.js";

const PREFIXED =
  /^listener\.name\.([a-z0-9_]+)\.(ssl\..+|sasl\.enabled\.mechanisms|max\.connections|max\.connection\.creation\.rate|[a-z0-9-]+\.sasl\.(?:jaas\.config|server\.callback\.handler\.class))$/;

/** A login module config for one mechanism of one listener (sasl/jaas-config.ts reads it). */
const JAAS_CONFIG = setting({
  name: "sasl.jaas.config",
  kind: text(true),
  default: "",
  importance: "medium",
  doc: 'JAAS login module config of one SASL mechanism; PLAIN\'s users are its user_<name>="<password>" options',
});

/** The class that checks one mechanism's credentials (OAUTHBEARER's token validator). */
const CALLBACK_HANDLER = setting({
  name: "sasl.server.callback.handler.class",
  kind: text(false),
  default: "",
  importance: "medium",
  doc: "Server callback handler of one SASL mechanism; for OAUTHBEARER Kafka's OAuthBearerValidatorCallbackHandler checks signed JWTs",
});

type SslKey = keyof SslSettings;
const SSL_KEYS = Object.keys(SSL_SETTINGS) as SslKey[];

function sslSpec(name: string): SettingSpec<unknown> | undefined {
  if (name === SASL_SETTINGS.enabledMechanisms.name)
    return SASL_SETTINGS.enabledMechanisms as SettingSpec<unknown>;
  if (name === LIMIT_SETTINGS.maxConnections.name)
    return LIMIT_SETTINGS.maxConnections as SettingSpec<unknown>;
  if (name === LIMIT_SETTINGS.maxConnectionCreationRate.name)
    return LIMIT_SETTINGS.maxConnectionCreationRate as SettingSpec<unknown>;
  if (name.endsWith(".sasl.jaas.config")) return JAAS_CONFIG as SettingSpec<unknown>;
  if (name.endsWith(".sasl.server.callback.handler.class"))
    return CALLBACK_HANDLER as SettingSpec<unknown>;
  const key = SSL_KEYS.find((k) => SSL_SETTINGS[k].name === name);
  return key === undefined ? undefined : (SSL_SETTINGS[key] as SettingSpec<unknown>);
}

/** The row of a per-listener override name, or undefined when `name` is none. */
export function listenerOverrideSetting(name: string): BrokerSetting | undefined {
  const m = PREFIXED.exec(name);
  if (m === null) return undefined;
  const listener = m[1] as string;
  const base = m[2] as string;
  const spec = sslSpec(base);
  if (spec === undefined) return undefined;
  return {
    name,
    type: spec.kind.type,
    doc: `${spec.doc} (listener ${listener.toUpperCase()} only)`,
    importance: spec.importance,
    flag: undefined,
    defaultText: `(${base})`,
    precedence: 2,
    topic: undefined,
    apply(config, raw) {
      spec.kind.parse(raw);
      const mine = config.listenerOverrides[listener] ?? {};
      config.listenerOverrides = {
        ...config.listenerOverrides,
        [listener]: { ...mine, [base]: raw },
      };
      return undefined;
    },
    read: (config) => config.listenerOverrides[listener]?.[base] ?? "",
  };
}

/** The SSL settings one listener uses: ssl.* with its listener.name.<name>.ssl.* on top. */
export function listenerSslSettings(config: BrokerConfig, listenerName: string): SslSettings {
  const overrides = config.listenerOverrides[listenerName.toLowerCase()] ?? {};
  const out: Record<string, unknown> = { ...config.ssl };
  for (const key of SSL_KEYS) {
    const raw = overrides[SSL_SETTINGS[key].name];
    if (raw !== undefined) out[key] = SSL_SETTINGS[key].kind.parse(raw);
  }
  // Every key of SslSettings is present: copied from config.ssl, some replaced.
  return out as SslSettings;
}

/** The raw per-listener value of `base` (e.g. "plain.sasl.jaas.config"), if one was given. */
export function listenerOverride(
  config: BrokerConfig,
  listenerName: string,
  base: string,
): string | undefined {
  return config.listenerOverrides[listenerName.toLowerCase()]?.[base];
}
