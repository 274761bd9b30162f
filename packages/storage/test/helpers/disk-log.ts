import { join } from "node:path";
import { logConfig } from "../../src/config.js";
import { DiskPartitionLog } from "../../src/disk/disk-partition-log.js";
import { silentLogger } from "../../src/index.js";
import { realEnv } from "./env.js";
import { makeTempDir } from "./temp-dir.js";

/**
 * Runs `fn` on a disk log of partition t-0 in a temporary directory, with no retention
 * and no periodic checkpoints, then closes it and removes the directory.
 */
export async function withDiskLog(
  cfg: { segmentBytes: number; indexIntervalBytes: number },
  fn: (log: DiskPartitionLog) => Promise<void>,
): Promise<void> {
  const tmp = await makeTempDir();
  const log = await DiskPartitionLog.open(
    join(tmp.path, "t-0"),
    "t",
    0,
    logConfig({ retentionMs: -1, ...cfg }),
    { ...realEnv(), logger: silentLogger, checkpointIntervalMs: 0 },
  );
  try {
    await fn(log);
  } finally {
    await log.close();
    await tmp.cleanup();
  }
}
