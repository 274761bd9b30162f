/**
 * What the growth curves share: command-line flags, a Logbook process with chosen
 * overrides, a client connection to it, percentiles, and a log line.
 */
import { loadavg } from "node:os";
import { type BrokerProcess, startBroker } from "../../integration-tests/helpers/broker-process.js";
import { Connection } from "../../packages/client/src/index.js";
import { memoryOf } from "../lib/servers.js";
import { round } from "../lib/stats.js";

const argv = process.argv.slice(2);

export function flagValue(name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

export function hasFlag(name: string): boolean {
  return argv.includes(name);
}

/** A comma-separated list of numbers (`--partitions 1,100`), or the default. */
export function numberList(name: string, fallback: readonly number[]): number[] {
  const v = flagValue(name);
  if (v === undefined) return [...fallback];
  const out = v.split(",").map(Number);
  if (out.some((x) => !Number.isFinite(x) || x <= 0)) throw new Error(`bad ${name}: ${v}`);
  return out;
}

export function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Bench-only overrides: quiet logs; nothing here touches the paths being measured. */
export const QUIET = ["--log-level", "warn"];

export async function startLogbookWith(
  overrides: readonly string[],
  dataDir?: string,
): Promise<BrokerProcess> {
  const args = [...QUIET, ...overrides.flatMap((o) => ["--override", o])];
  return startBroker({ args, ...(dataDir === undefined ? {} : { dataDir }) });
}

/** VmRSS of `pid` in MiB. */
export async function rssMiB(pid: number): Promise<number> {
  return round((await memoryOf(pid)).rss / 2 ** 20, 1);
}

export function openConnection(port: number, timeoutMs = 60_000): Promise<Connection> {
  return Connection.open({ host: "127.0.0.1", port, clientId: "logbook-growth", timeoutMs });
}

export function msSince(start: bigint): number {
  return round(Number(process.hrtime.bigint() - start) / 1e6, 2);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** What each curve records about the run that produced it (`at`: when it started). */
export function runMeta(): Record<string, unknown> {
  return {
    at: new Date().toISOString(),
    loadAverage: loadavg().map((x) => round(x, 2)),
    command: `pnpm bench:growth ${argv.join(" ")}`.trim(),
  };
}
