import { ConfigSource } from "@logbook/protocol";
import { type BrokerConfig, brokerConfig, DEFAULT_BROKER_CONFIG } from "../config/broker-config.js";
import { GROUP_CONFIG_DEFS } from "../config/group-config-defs.js";
import { BROKER_SETTINGS, TOPIC_CONFIG_DEFS } from "../config/schema.js";
import { CONFIG_TYPE_ID } from "./config-values.js";

export { ConfigSource };

export interface ConfigSynonym {
  name: string;
  value: string;
  source: number;
}

/** One config as DescribeConfigs and CreateTopics v5+ report it. */
export interface DescribedConfig {
  name: string;
  value: string;
  readOnly: boolean;
  source: number;
  isSensitive: boolean;
  /** Most specific first: topic override, static broker setting, built-in default. */
  synonyms: ConfigSynonym[];
  typeId: number;
  doc: string;
}

/** Every topic config with its effective value on this broker. */
/** A writable config whose value and source are its first synonym's (`fallback` if none). */
function fromSynonyms(
  def: { name: string; type: keyof typeof CONFIG_TYPE_ID; doc: string },
  synonyms: ConfigSynonym[],
  fallback: ConfigSynonym,
): DescribedConfig {
  const first = synonyms[0] ?? fallback;
  return {
    name: def.name,
    value: first.value,
    readOnly: false,
    source: first.source,
    isSensitive: false,
    synonyms,
    typeId: CONFIG_TYPE_ID[def.type],
    doc: def.doc,
  };
}

export function describeTopicConfigs(
  config: BrokerConfig,
  overrides: ReadonlyMap<string, string>,
): DescribedConfig[] {
  return TOPIC_CONFIG_DEFS.map((def) => {
    const brokerValue = def.defaultValue(config);
    const builtIn = def.defaultValue(DEFAULT_BROKER_CONFIG);
    const synonyms: ConfigSynonym[] = [];
    const override = overrides.get(def.name);
    if (override !== undefined) {
      synonyms.push({ name: def.name, value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    }
    const brokerName = def.brokerSynonym ?? def.name;
    if (brokerValue !== builtIn) {
      synonyms.push({
        name: brokerName,
        value: brokerValue,
        source: ConfigSource.STATIC_BROKER_CONFIG,
      });
    }
    // As Kafka: no DEFAULT_CONFIG synonym where no broker property holds a default.
    if (def.brokerSynonym !== null && def.brokerDefaultUnset !== true) {
      synonyms.push({ name: brokerName, value: builtIn, source: ConfigSource.DEFAULT_CONFIG });
    }
    return fromSynonyms(def, synonyms, {
      name: brokerName,
      value: builtIn,
      source: ConfigSource.DEFAULT_CONFIG,
    });
  });
}

// By code unit (lower-case ASCII names, the same order as localeCompare): the first
// localeCompare at module load would load ICU's collation data (see TOPIC_CONFIG_DEFS).
const BY_NAME = [...BROKER_SETTINGS].sort((a, b) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
);
/** The defaults as the broker uses them (the advertised host worked out from the listener). */
const BUILT_IN = brokerConfig();

/**
 * Every broker setting; all static (set by a file, a flag or the environment at start),
 * so all read-only. A setting one of those gave, or a value other than the built-in
 * default (a config built in code), is STATIC_BROKER_CONFIG.
 */
export function describeBrokerConfigs(config: BrokerConfig): DescribedConfig[] {
  const given = new Set(config.staticSettings);
  return BY_NAME.map((def) => {
    const value = def.read(config);
    const builtIn = def.read(BUILT_IN);
    const isStatic = given.has(def.name) || value !== builtIn;
    const synonyms: ConfigSynonym[] = [];
    if (isStatic) {
      synonyms.push({ name: def.name, value, source: ConfigSource.STATIC_BROKER_CONFIG });
    }
    synonyms.push({ name: def.name, value: builtIn, source: ConfigSource.DEFAULT_CONFIG });
    return {
      name: def.name,
      value,
      readOnly: true,
      source: isStatic ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG,
      // Inline keys and certificates: the wire answer leaves the value out, as Kafka.
      isSensitive: def.type === "password",
      synonyms,
      typeId: CONFIG_TYPE_ID[def.type],
      doc: def.doc,
    };
  });
}

/**
 * Every group config of a group: its override (GROUP_CONFIG) or the broker's value, which
 * Kafka reports as DEFAULT_CONFIG under the broker setting's name even when set statically.
 */
export function describeGroupConfigs(
  config: BrokerConfig,
  overrides: ReadonlyMap<string, string>,
): DescribedConfig[] {
  return [...GROUP_CONFIG_DEFS.values()].map((def) => {
    const fallback = {
      name: def.synonym,
      value: def.defaultValue(config),
      source: ConfigSource.DEFAULT_CONFIG,
    };
    const override = overrides.get(def.name);
    const synonyms: ConfigSynonym[] =
      override === undefined
        ? [fallback]
        : [
            { name: def.name, value: override, source: ConfigSource.DYNAMIC_GROUP_CONFIG },
            fallback,
          ];
    return fromSynonyms(def, synonyms, fallback);
  });
}
