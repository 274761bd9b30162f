/**
 * The one logging interface of the server side. The broker creates the logger and
 * passes it down; library code never writes to the console itself.
 */
import { utcTimestampNow } from "./env/utc-timestamp.js";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/**
 * `cause` is what was caught: an Error is printed with its message and stack (the stack
 * is what makes an unexpected failure fixable from a log), anything else as text.
 */
export interface Logger {
  debug(msg: string, fields?: LogFields, cause?: unknown): void;
  info(msg: string, fields?: LogFields, cause?: unknown): void;
  warn(msg: string, fields?: LogFields, cause?: unknown): void;
  error(msg: string, fields?: LogFields, cause?: unknown): void;
  child(fields: LogFields): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** The fields that describe a caught value: `error` (its message) and `stack` for an Error. */
export function causeFields(cause: unknown): LogFields {
  if (cause === undefined) return {};
  if (cause instanceof Error) return { error: cause.message, stack: cause.stack ?? null };
  return { error: String(cause) };
}

/** JSON lines on a stream (stderr by default), one object per event. */
export function createLogger(
  level: LogLevel = "info",
  base: LogFields = {},
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  const min = ORDER[level];
  const emit = (lvl: LogLevel, msg: string, fields?: LogFields, cause?: unknown): void => {
    if (ORDER[lvl] < min) return;
    const line = { time: utcTimestampNow(), level: lvl, msg, ...base, ...fields };
    write(`${JSON.stringify({ ...line, ...causeFields(cause) })}\n`);
  };
  return {
    debug: (m, f, c) => emit("debug", m, f, c),
    info: (m, f, c) => emit("info", m, f, c),
    warn: (m, f, c) => emit("warn", m, f, c),
    error: (m, f, c) => emit("error", m, f, c),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  };
}

/** Discards everything; for tests that do not look at logs. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};

/** Keeps every event in memory; for tests that assert on what was reported. */
export function memoryLogger(): Logger & {
  events: { level: LogLevel; msg: string; fields: LogFields }[];
} {
  const events: { level: LogLevel; msg: string; fields: LogFields }[] = [];
  const make = (base: LogFields): Logger => {
    const push = (level: LogLevel, msg: string, f?: LogFields, cause?: unknown): void => {
      events.push({ level, msg, fields: { ...base, ...f, ...causeFields(cause) } });
    };
    return {
      debug: (msg, f, c) => push("debug", msg, f, c),
      info: (msg, f, c) => push("info", msg, f, c),
      warn: (msg, f, c) => push("warn", msg, f, c),
      error: (msg, f, c) => push("error", msg, f, c),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return Object.assign(make({}), { events });
}
