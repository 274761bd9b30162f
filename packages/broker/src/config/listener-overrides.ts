/**
 * listener.name.<listener>.<setting>: a setting for one listener only, as Kafka allows
 * (the listener name in lower case): the ssl.* settings, sasl.enabled.mechanisms,
 * <mechanism>.sasl.jaas.config (e.g. listener.name.sasl_plaintext.plain.sasl.jaas.config,
 * which has no listener-wide form), <mechanism>.sasl.server.callback.handler.class, and
 * the sasl.oauthbearer.* settings, with or without the oauthbearer. mechanism prefix
 * (Kafka's OAuth code looks up oauthbearer.<setting> first, then <setting>), and the
 * connection limits max.connections and max.connection.creation.rate.
 * Kept as text by listener and read with the setting's own kind when that listener starts.
 */
import type { BrokerConfig } from "./broker-config.js";
import { text } from "./kinds.js";
import { LIMIT_SETTINGS } from "./limit-settings.js";
import { OAUTH_SETTINGS, type OAuthConfig } from "./oauth-settings.js";
import type { BrokerSetting } from "./rows.js";
import { SASL_SETTINGS } from "./sasl-settings.js";
import { type SectionSpecs, type SettingSpec, setting } from "./setting.js";
import { SSL_SETTINGS, type SslSettings } from "./ssl-settings.js";

const PREFIXED =
  /^listener\.name\.([a-z0-9_]+)\.(ssl\..+|sasl\.enabled\.mechanisms|max\.connections|max\.connection\.creation\.rate|[a-z0-9-]+\.sasl\.(?:jaas\.config|server\.callback\.handler\.class)|(?:oauthbearer\.)?sasl\.oauthbearer\..+)$/;

/** The mechanism prefix Kafka's OAuth code tries before a setting's plain name. */
const OAUTH_PREFIX = "oauthbearer.";

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

/** The spec of `specs` named `name`, if any. */
function specNamed<C>(specs: SectionSpecs<C>, name: string): SettingSpec<unknown> | undefined {
  const key = (Object.keys(specs) as (keyof C)[]).find((k) => specs[k].name === name);
  return key === undefined ? undefined : (specs[key] as SettingSpec<unknown>);
}

function overrideSpec(name: string): SettingSpec<unknown> | undefined {
  if (name === SASL_SETTINGS.enabledMechanisms.name)
    return SASL_SETTINGS.enabledMechanisms as SettingSpec<unknown>;
  if (name === LIMIT_SETTINGS.maxConnections.name)
    return LIMIT_SETTINGS.maxConnections as SettingSpec<unknown>;
  if (name === LIMIT_SETTINGS.maxConnectionCreationRate.name)
    return LIMIT_SETTINGS.maxConnectionCreationRate as SettingSpec<unknown>;
  if (name.endsWith(".sasl.jaas.config")) return JAAS_CONFIG as SettingSpec<unknown>;
  if (name.endsWith(".sasl.server.callback.handler.class"))
    return CALLBACK_HANDLER as SettingSpec<unknown>;
  if (name.startsWith("ssl.")) return specNamed(SSL_SETTINGS, name);
  const oauth = name.startsWith(OAUTH_PREFIX) ? name.slice(OAUTH_PREFIX.length) : name;
  return oauth.startsWith("sasl.oauthbearer.") ? specNamed(OAUTH_SETTINGS, oauth) : undefined;
}

/** The row of a per-listener override name, or undefined when `name` is none. */
export function listenerOverrideSetting(name: string): BrokerSetting | undefined {
  const m = PREFIXED.exec(name);
  if (m === null) return undefined;
  const listener = m[1] as string;
  const base = m[2] as string;
  const spec = overrideSpec(base);
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

/**
 * A section's values for one listener: `base` with the listener's overrides on top,
 * each looked up under the first of `prefixes` (+ the setting's name) that has one.
 */
function withListenerOverrides<C extends object>(
  config: BrokerConfig,
  listenerName: string,
  specs: SectionSpecs<C>,
  base: Readonly<C>,
  prefixes: readonly string[],
): C {
  const overrides = config.listenerOverrides[listenerName.toLowerCase()] ?? {};
  const out: C = { ...(base as C) };
  for (const key of Object.keys(specs) as (keyof C)[]) {
    const spec = specs[key];
    const raw = prefixes.map((p) => overrides[p + spec.name]).find((v) => v !== undefined);
    if (raw !== undefined) out[key] = spec.kind.parse(raw);
  }
  return out;
}

/** The SSL settings one listener uses: ssl.* with its listener.name.<name>.ssl.* on top. */
export function listenerSslSettings(config: BrokerConfig, listenerName: string): SslSettings {
  return withListenerOverrides(config, listenerName, SSL_SETTINGS, config.ssl, [""]);
}

/**
 * The OAUTHBEARER settings one listener uses, in Kafka's order:
 * listener.name.<l>.oauthbearer.sasl.oauthbearer.<x>, then listener.name.<l>.sasl.oauthbearer.<x>,
 * then the broker-wide sasl.oauthbearer.<x>.
 */
export function listenerOAuthSettings(config: BrokerConfig, listenerName: string): OAuthConfig {
  return withListenerOverrides(config, listenerName, OAUTH_SETTINGS, config.oauth, [
    OAUTH_PREFIX,
    "",
  ]);
}

/** The raw per-listener value of `base` (e.g. "plain.sasl.jaas.config"), if one was given. */
export function listenerOverride(
  config: BrokerConfig,
  listenerName: string,
  base: string,
): string | undefined {
  return config.listenerOverrides[listenerName.toLowerCase()]?.[base];
}
