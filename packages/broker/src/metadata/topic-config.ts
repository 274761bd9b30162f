import { ErrorCode } from "@logbook/protocol";
import type { LogConfig } from "@logbook/storage";
import { topicConfigDef } from "../config/schema.js";
import type { BrokerConfig } from "../config.js";
import { longToNumber } from "./config-values.js";

export type ConfigCheck = { ok: true } | { ok: false; errorCode: number; message: string };

/** Checks names and values of topic overrides; the first problem is reported. */
export function checkTopicConfigs(overrides: ReadonlyMap<string, string | null>): ConfigCheck {
  for (const [name, value] of overrides) {
    const def = topicConfigDef(name);
    const bad = (message: string): ConfigCheck => ({
      ok: false,
      errorCode: ErrorCode.INVALID_CONFIG,
      message,
    });
    if (def === undefined) return bad(`Unknown topic config name: ${name}`);
    if (value === null) return bad(`Null value not supported for topic configs: ${name}`);
    const problem = def.check(value);
    if (problem !== null) return bad(problem);
  }
  return { ok: true };
}

/** Broker defaults with a topic's (checked) overrides applied. */
export function effectiveLogConfig(
  config: BrokerConfig,
  overrides: ReadonlyMap<string, string>,
): LogConfig {
  const log: LogConfig = {
    ...config.logDefaults,
    cleanupPolicy: { ...config.logDefaults.cleanupPolicy },
  };
  for (const [name, value] of overrides) topicConfigDef(name)?.apply?.(log, value);
  return log;
}

/** Effective message.timestamp.before.max.ms and .after.max.ms (ms, capped at 2^53). */
export function effectiveTimestampLimits(
  config: BrokerConfig,
  overrides: ReadonlyMap<string, string>,
): { beforeMaxMs: number; afterMaxMs: number } {
  const before = overrides.get("message.timestamp.before.max.ms");
  const after = overrides.get("message.timestamp.after.max.ms");
  return {
    beforeMaxMs: before === undefined ? config.messageTimestampBeforeMaxMs : longToNumber(before),
    afterMaxMs: after === undefined ? config.messageTimestampAfterMaxMs : longToNumber(after),
  };
}

export function effectiveMaxMessageBytes(
  config: BrokerConfig,
  overrides: ReadonlyMap<string, string>,
): number {
  const v = overrides.get("max.message.bytes");
  return v === undefined ? config.messageMaxBytes : longToNumber(v);
}
