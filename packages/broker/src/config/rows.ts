/**
 * The uniform row every consumer of the schema reads (config sources, DescribeConfigs,
 * --help, the README), built from a section table or a spelling.
 */
import type { LogConfig } from "@logbook/storage";
import type { ConfigType } from "../metadata/config-values.js";
import { type BrokerConfig, DEFAULT_BROKER_CONFIG } from "./broker-config.js";
import {
  checkAgainst,
  type Importance,
  type SectionSpecs,
  type TopicConfigDef,
  type TopicSynonym,
} from "./setting.js";
import type { Spelling } from "./spellings.js";

/** Owners apply after spellings within one source (see spellings.ts). */
const OWNER_PRECEDENCE = 2;

export interface BrokerSetting {
  readonly name: string;
  readonly type: ConfigType;
  readonly doc: string;
  readonly importance: Importance;
  readonly flag: string | undefined;
  /** The default as docs show it. */
  readonly defaultText: string;
  /** Within one source, lower applies first. */
  readonly precedence: number;
  /** The topic config this setting is the broker-wide default of. */
  readonly topic: TopicConfigDef | undefined;
  /** Parses, checks and stores a value; throws ConfigValueError. Returns a warning, if any. */
  apply(config: BrokerConfig, raw: string): string | undefined;
  /** The value in `config` as DescribeConfigs reports it. */
  read(config: BrokerConfig): string;
}

/**
 * The rows of a section table: each key is the field the setting owns in
 * `section(config)`. `onLog` is given for LogConfig fields, so that a topic override
 * of the synonym lands in the topic's own log settings.
 */
export function sectionRows<C extends object>(
  specs: SectionSpecs<C>,
  section: (config: BrokerConfig) => C,
  onLog?: (log: LogConfig) => C,
): BrokerSetting[] {
  const row = <K extends keyof C>(key: K): BrokerSetting => {
    const spec = specs[key];
    const read = (config: BrokerConfig): string => spec.kind.format(section(config)[key]);
    const t: TopicSynonym | undefined = spec.topic;
    return {
      name: spec.name,
      type: spec.kind.type,
      doc: spec.doc,
      importance: spec.importance,
      flag: spec.flag,
      defaultText: spec.defaultText ?? spec.kind.format(spec.default),
      precedence: OWNER_PRECEDENCE,
      topic:
        t === undefined
          ? undefined
          : {
              name: t.name,
              type: spec.kind.type,
              doc: t.doc,
              brokerSynonym: spec.name,
              ...(t.defaultUnset === true ? { brokerDefaultUnset: true as const } : {}),
              defaultValue: read,
              check: checkAgainst(t.name, spec.kind),
              ...(onLog === undefined
                ? {}
                : {
                    apply: (log: LogConfig, value: string) => {
                      onLog(log)[key] = spec.kind.parse(value);
                    },
                  }),
            },
      apply(config, raw) {
        section(config)[key] = spec.kind.parse(raw);
        return undefined;
      },
      read,
    };
  };
  return (Object.keys(specs) as (keyof C)[]).map(row);
}

export function spellingRow<T>(s: Spelling<T>): BrokerSetting {
  return {
    name: s.name,
    type: s.kind.type,
    doc: s.doc,
    importance: s.importance,
    flag: undefined,
    // Worked out from the owner's default, so the two cannot disagree.
    defaultText: s.defaultText ?? s.kind.format(s.get(DEFAULT_BROKER_CONFIG)),
    precedence: s.precedence,
    topic: undefined,
    apply(config, raw) {
      const v = s.kind.parse(raw);
      s.set(config, v);
      return s.note?.(v);
    },
    read: (config) => s.kind.format(s.get(config)),
  };
}
