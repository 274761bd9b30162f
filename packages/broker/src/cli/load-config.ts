import { readFileSync } from "node:fs";
import type { LogLevel } from "@logbook/storage";
import {
  type BrokerConfig,
  brokerConfig,
  copyConfig,
  DEFAULT_BROKER_CONFIG,
} from "../config/broker-config.js";
import { closestName } from "../config/closest-name.js";
import { ConfigValueError } from "../config/kinds.js";
import { listenerOverrideSetting } from "../config/listener-overrides.js";
import { listenerErrors } from "../config/listener-plan.js";
import { IGNORED_PROPERTIES, SWITCH_VARIABLES } from "../config/not-settings.js";
import { settingRelationErrors } from "../config/relations.js";
import type { BrokerSetting } from "../config/rows.js";
import {
  BROKER_SETTINGS,
  envVarName,
  findSetting,
  findSettingByEnv,
  propertyOfEnvVar,
} from "../config/schema.js";
import { parseProperties } from "./properties.js";

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
  /** Unknown settings and lossy values, for the CLI to log as warnings. */
  warnings: string[];
  /** Kafka properties that mean nothing for a single node, accepted and ignored. */
  ignored: string[];
  configFile: string | undefined;
}

interface Assignment {
  setting: BrokerSetting;
  raw: string;
  /** Where the value came from, for messages: a file and line, a variable, a flag. */
  origin: string;
}

/** What one source said: the settings it sets, and the names that are not settings. */
interface Layer {
  assignments: Assignment[];
  unknown: { name: string; origin: string; suggestion: string | undefined }[];
  ignored: string[];
}

const SETTING_NAMES = BROKER_SETTINGS.map((s) => s.name);
const SETTING_VARIABLES = SETTING_NAMES.map(envVarName);

function emptyLayer(): Layer {
  return { assignments: [], unknown: [], ignored: [] };
}

/** The setting a property name (from a file or `-o`) sets: a plain one or a listener's own. */
function settingNamed(name: string): BrokerSetting | undefined {
  return findSetting(name) ?? listenerOverrideSetting(name);
}

/** Sorts a property name (from a file or `-o`) into its layer. */
function addProperty(layer: Layer, name: string, raw: string, origin: string): void {
  const setting = settingNamed(name);
  if (setting !== undefined) layer.assignments.push({ setting, raw, origin });
  else if (IGNORED_PROPERTIES.has(name)) layer.ignored.push(name);
  else layer.unknown.push({ name, origin, suggestion: closestName(name, SETTING_NAMES) });
}

function fileLayer(path: string, read?: (path: string) => string): Layer {
  const layer = emptyLayer();
  for (const e of parseProperties(readConfigFile(path, read)))
    addProperty(layer, e.key, e.value, `${path}:${e.line}`);
  return layer;
}

/**
 * LOGBOOK_* variables only; the CLI's own switches are not settings and not mistakes.
 * A variable is first read as envVarName writes it, then by the image rule of
 * propertyOfEnvVar (which alone can spell listener.name.<l>.* with its _ and -).
 */
function envLayer(env: ConfigSources["env"]): Layer {
  const layer = emptyLayer();
  for (const [variable, raw] of Object.entries(env)) {
    if (raw === undefined || !variable.startsWith("LOGBOOK_") || SWITCH_VARIABLES.has(variable))
      continue;
    const setting = findSettingByEnv(variable) ?? settingNamed(propertyOfEnvVar(variable));
    const ignored = [...IGNORED_PROPERTIES].find((p) => envVarName(p) === variable);
    if (setting !== undefined) layer.assignments.push({ setting, raw, origin: variable });
    else if (ignored !== undefined) layer.ignored.push(ignored);
    else
      layer.unknown.push({
        name: variable,
        origin: "environment",
        suggestion: closestName(variable, SETTING_VARIABLES),
      });
  }
  return layer;
}

function commandLineLayer(sources: ConfigSources): Layer {
  const layer = emptyLayer();
  for (const o of sources.overrides ?? []) {
    const eq = o.indexOf("=");
    if (eq < 0) throw new ConfigError(`--override ${o}: expected key=value`);
    const key = o.slice(0, eq).trim();
    addProperty(layer, key, o.slice(eq + 1), `--override ${key}`);
  }
  for (const [name, raw] of sources.cli) {
    const setting = findSetting(name);
    if (setting === undefined) throw new Error(`no setting named ${name}`);
    layer.assignments.push({ setting, raw, origin: setting.flag ?? name });
  }
  return layer;
}

/**
 * Builds the broker configuration from defaults, then the properties file, then
 * LOGBOOK_* environment variables, then the command line: each source overrides the
 * ones before it, setting by setting. A name that is no setting is a warning in every
 * source (with the nearest setting's name); a value a setting refuses is a ConfigError.
 */
export function loadConfig(sources: ConfigSources): LoadedConfig {
  const config = copyConfig(DEFAULT_BROKER_CONFIG);
  const warnings: string[] = [];
  const ignored: string[] = [];
  const configFile = sources.configFile ?? nonEmpty(sources.env.LOGBOOK_CONFIG);
  const layers = [
    ...(configFile === undefined ? [] : [fileLayer(configFile, sources.readFile)]),
    envLayer(sources.env),
    commandLineLayer(sources),
  ];
  for (const layer of layers) {
    for (const u of layer.unknown)
      warnings.push(
        `unknown property "${u.name}" (${u.origin}) ignored` +
          (u.suggestion === undefined ? "" : `; did you mean "${u.suggestion}"?`),
      );
    ignored.push(...layer.ignored);
    applyLayer(config, layer.assignments, warnings);
  }
  const given = new Set(layers.flatMap((l) => l.assignments.map((a) => a.setting.name)));
  const finished = brokerConfig({ ...config, staticSettings: [...given] });
  const conflicts = [...settingRelationErrors(finished), ...listenerErrors(finished)];
  if (conflicts.length > 0) throw new ConfigError(conflicts.join("; "));
  return { config: finished, logLevel: finished.logLevel, warnings, ignored, configFile };
}

function applyLayer(config: BrokerConfig, assignments: Assignment[], warnings: string[]): void {
  // Stable sort: the same setting twice in one source keeps its order (last one wins).
  const ordered = [...assignments].sort((a, b) => a.setting.precedence - b.setting.precedence);
  for (const a of ordered) {
    try {
      const warning = a.setting.apply(config, a.raw);
      if (warning !== undefined) warnings.push(warning);
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
