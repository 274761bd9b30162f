/**
 * The shape of one entry of the config schema (Kafka's ConfigDef.ConfigKey plus the
 * topic-config synonym of ServerTopicConfigSynonyms), and of a topic config as the
 * config handlers see it.
 */
import type { LogConfig } from "@logbook/storage";
import type { ConfigType } from "../metadata/config-values.js";
import type { BrokerConfig } from "./broker-config.js";
import { ConfigValueError, type Kind } from "./kinds.js";

export type Importance = "high" | "medium" | "low";

/** The topic config a broker setting gives its default to (retention.ms for log.retention.ms). */
export interface TopicSynonym {
  readonly name: string;
  readonly doc: string;
  /**
   * Kafka's broker property has no default of its own (it falls back to another one,
   * e.g. log.retention.ms to log.retention.hours), so DescribeConfigs lists no
   * DEFAULT_CONFIG synonym for it, as Kafka.
   */
  readonly defaultUnset?: true;
}

/** One setting that owns a field of the typed config: the field is its key in a section table. */
export interface SettingSpec<T> {
  /** Property name in a --config file, `-o`, LOGBOOK_* (derived) and DescribeConfigs. */
  readonly name: string;
  readonly kind: Kind<T>;
  readonly default: T;
  /** Shown in docs when the effective default is worked out at start-up. */
  readonly defaultText?: string;
  readonly doc: string;
  readonly importance: Importance;
  /** A dedicated command-line flag, when there is one. */
  readonly flag?: `--${string}`;
  readonly topic?: TopicSynonym;
}

export function setting<T>(spec: SettingSpec<T>): SettingSpec<T> {
  return spec;
}

/** The section table of a config object: one owning setting per field, checked by the compiler. */
export type SectionSpecs<C> = { readonly [K in keyof C]: SettingSpec<C[K]> };

/** The typed values of a section table. */
export type SectionValues<S> = {
  -readonly [K in keyof S]: S[K] extends SettingSpec<infer T> ? T : never;
};

/**
 * Where a setting's value lives in a config object (the broker config while loading,
 * or a topic's LogConfig for topic overrides).
 */
export interface Target<C, T> {
  get(config: C): T;
  set(config: C, value: T): void;
}

/** A topic config as TOPIC DescribeConfigs, CreateTopics and AlterConfigs see it. */
export interface TopicConfigDef {
  readonly name: string;
  readonly type: ConfigType;
  readonly doc: string;
  /** The broker setting giving every topic its default (e.g. log.retention.ms). */
  readonly brokerSynonym: string | null;
  readonly brokerDefaultUnset?: true;
  /** The value a topic gets without an override on this broker. */
  defaultValue(config: BrokerConfig): string;
  /** Kafka's message for a refused value, or null when the value is acceptable. */
  check(value: string): string | null;
  /** Writes an (already checked) value into a topic's log settings, when it has an effect. */
  readonly apply?: (log: LogConfig, value: string) => void;
}

/** Kafka's wording for a refused config value. */
export function checkAgainst<T>(name: string, kind: Kind<T>): (value: string) => string | null {
  return (value) => {
    try {
      kind.parse(value);
      return null;
    } catch (e) {
      if (!(e instanceof ConfigValueError)) throw e;
      return `Invalid value ${value} for configuration ${name}: ${e.message}`;
    }
  };
}

export function topicOnly<T>(name: string, kind: Kind<T>, value: T, doc: string): TopicConfigDef {
  const text = kind.format(value);
  return {
    name,
    type: kind.type,
    doc,
    brokerSynonym: null,
    defaultValue: () => text,
    check: checkAgainst(name, kind),
  };
}
