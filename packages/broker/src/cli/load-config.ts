import { readFileSync } from "node:fs";
import { coordinatorConfig } from "@logbook/group-coordinator";
import { type LogLevel, logConfig } from "@logbook/storage";
import { type BrokerConfig, brokerConfig } from "../config.js";
import { parseProperties } from "./properties.js";
import {
  type ConfigDraft,
  envVarName,
  findSetting,
  IGNORED,
  SETTINGS,
  type Setting,
  settingRank,
} from "./settings.js";
import { ConfigValueError } from "./values.js";

/** A setting that cannot be used; the CLI prints it and exits non-zero. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export interface ConfigSources {
  /** Command-line settings by name (`--port 9093` -> ["port", "9093"]), in the order given. */
  cli: readonly (readonly [string, string])[];
  /** `--override key=value` entries; applied before the dedicated flags. */
  overrides?: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** The --config flag; LOGBOOK_CONFIG is used when absent. */
  configFile?: string | undefined;
  readFile?: (path: string) => string;
}

export interface LoadedConfig {
  config: BrokerConfig;
  logLevel: LogLevel;
  /** Unknown properties and lossy settings, for the CLI to log as warnings. */
  warnings: string[];
  /** Kafka properties that mean nothing for a single node, accepted and ignored. */
  ignored: string[];
  configFile: string | undefined;
}

interface Assignment {
  setting: Setting;
  raw: string;
  origin: string;
}

/**
 * Builds the broker configuration from defaults, then the properties file, then
 * LOGBOOK_* environment variables, then the command line: each source overrides the
 * ones before it, setting by setting.
 */
export function loadConfig(sources: ConfigSources): LoadedConfig {
  const draft: ConfigDraft = { broker: {}, log: {}, groups: {}, logLevel: "info", warnings: [] };
  const ignored: string[] = [];
  const configFile = sources.configFile ?? nonEmpty(sources.env.LOGBOOK_CONFIG);

  if (configFile !== undefined) {
    const text = readConfigFile(configFile, sources.readFile);
    const fromFile: Assignment[] = [];
    for (const e of parseProperties(text)) {
      const setting = findSetting(e.key);
      const where = `${configFile}:${e.line}`;
      if (setting !== undefined) fromFile.push({ setting, raw: e.value, origin: where });
      else if (IGNORED.has(e.key)) ignored.push(e.key);
      else draft.warnings.push(`unknown property "${e.key}" (${where}) ignored`);
    }
    applyLayer(draft, fromFile);
  }

  const fromEnv: Assignment[] = [];
  for (const setting of SETTINGS) {
    const name = envVarName(setting.name);
    const raw = sources.env[name];
    if (raw !== undefined) fromEnv.push({ setting, raw, origin: name });
  }
  applyLayer(draft, fromEnv);

  const fromCli: Assignment[] = [];
  for (const o of sources.overrides ?? []) {
    const eq = o.indexOf("=");
    const key = eq < 0 ? o : o.slice(0, eq);
    const setting = findSetting(key.trim());
    if (eq < 0 || setting === undefined)
      throw new ConfigError(`--override ${o}: expected a known property as key=value`);
    fromCli.push({ setting, raw: o.slice(eq + 1), origin: `--override ${key}` });
  }
  for (const [name, raw] of sources.cli) {
    const setting = findSetting(name);
    if (setting === undefined) throw new Error(`no setting named ${name}`);
    fromCli.push({ setting, raw, origin: setting.flag ?? name });
  }
  applyLayer(draft, fromCli);

  const config = brokerConfig({
    ...draft.broker,
    logDefaults: logConfig(draft.log),
    groups: coordinatorConfig(draft.groups),
  });
  return { config, logLevel: draft.logLevel, warnings: draft.warnings, ignored, configFile };
}

function applyLayer(draft: ConfigDraft, assignments: Assignment[]): void {
  // Stable sort: the same setting twice in one source keeps its order (last one wins).
  const ordered = [...assignments].sort((a, b) => settingRank(a.setting) - settingRank(b.setting));
  for (const a of ordered) {
    try {
      a.setting.apply(draft, a.raw);
    } catch (e) {
      if (e instanceof ConfigValueError)
        throw new ConfigError(`${a.origin}: invalid ${a.setting.name}: ${e.message}`);
      throw e;
    }
  }
}

function readConfigFile(path: string, read?: (path: string) => string): string {
  try {
    return read !== undefined ? read(path) : readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(
      `cannot read config file ${path}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : v;
}
