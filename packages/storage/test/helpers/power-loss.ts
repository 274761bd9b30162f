/**
 * A disk log on the in-memory Fs with a manual clock, for deterministic power-loss tests:
 * the machine loses power after an exact number of file-system mutations.
 */
import { type LogConfig, logConfig } from "../../src/config.js";
import { DiskPartitionLog } from "../../src/disk/disk-partition-log.js";
import { ManualClock } from "../../src/env/manual-clock.js";
import { MemoryFs } from "../../src/env/memory-fs.js";
import { silentLogger } from "../../src/logger.js";

export const DATA_DIR = "/data";
export const LOG_DIR = `${DATA_DIR}/t-0`;

/** A machine: a file system whose data directory exists durably, and a clock. */
export interface Machine {
  fs: MemoryFs;
  clock: ManualClock;
}

export async function newMachine(): Promise<Machine> {
  const clock = new ManualClock();
  const fs = new MemoryFs(() => clock.now());
  await fs.mkdir(DATA_DIR);
  await fs.syncDir("/");
  return { fs, clock };
}

export function openLog(
  m: Machine,
  config: Partial<LogConfig>,
  checkpointIntervalMs = 0,
): Promise<DiskPartitionLog> {
  return DiskPartitionLog.open(LOG_DIR, "t", 0, logConfig({ retentionMs: -1, ...config }), {
    fs: m.fs,
    clock: m.clock,
    logger: silentLogger,
    checkpointIntervalMs,
  });
}

/**
 * The machine after a power cut and a restart: what was durable, a fresh clock (the
 * crashed log's timers die with it).
 */
export function restart(m: Machine): Machine {
  m.fs.powerCut();
  const clock = new ManualClock(m.clock.now());
  return { fs: m.fs, clock };
}
