/**
 * listener.name.<listener>.<ssl setting>: an SSL setting for one listener only, as
 * Kafka allows (the listener name in lower case). Kept as text by listener and read
 * with the setting's own kind when that listener starts.
 */
import type { BrokerConfig } from "./broker-config.js";
import type { BrokerSetting } from "./rows.js";
import type { SettingSpec } from "./setting.js";
import { SSL_SETTINGS, type SslSettings } from "./ssl-settings.js";

const PREFIXED = /^listener\.name\.([a-z0-9_]+)\.(ssl\..+)$/;

type SslKey = keyof SslSettings;
const SSL_KEYS = Object.keys(SSL_SETTINGS) as SslKey[];

function sslSpec(name: string): SettingSpec<unknown> | undefined {
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
