import type { Logger } from "./logger.js";
import type { PartitionLog } from "./partition-log.js";

/**
 * Retention and compaction over every open log of an engine, one log at a time (the
 * engines' maintenance timer). A log that failed to open is skipped; a failure in one
 * log is logged and the others still run.
 */
export async function maintainLogs(
  logs: Iterable<Promise<PartitionLog>>,
  now: number,
  logger: Logger,
): Promise<void> {
  for (const pending of [...logs]) {
    const log = await pending.catch(() => null);
    await log?.runMaintenance(now).catch((e: unknown) => {
      logger.error("maintenance failed", { topic: log.topic, partition: log.partition }, e);
    });
  }
}
