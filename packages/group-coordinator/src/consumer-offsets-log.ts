import { AppendError, InternalLog, type Logger, type StorageEngine } from "@logbook/storage";
import type { LogRecord, RecordLog } from "./record-log.js";

export const CONSUMER_OFFSETS_TOPIC = "__consumer_offsets";

/**
 * RecordLog on the internal compacted topic `__consumer_offsets`/0 (an InternalLog:
 * each append is durable before the request that made it is answered; compaction keeps
 * the latest record per group and per (group, topic, partition)).
 *
 * Appends are conditional (on top of what this broker replayed and wrote): when brokers
 * share one database, a broker that coordinated groups before another took over cannot
 * write over the new coordinator's records; its append fails and `onConflict` runs.
 */
export async function openConsumerOffsetsLog(
  storage: StorageEngine,
  logger: Logger,
  onConflict: () => void = () => {},
): Promise<RecordLog> {
  const log = await InternalLog.open(storage, CONSUMER_OFFSETS_TOPIC);
  const quiet = logger.child({ component: "consumer-offsets-log" });
  return {
    async append(records: readonly LogRecord[]): Promise<void> {
      try {
        await log.append(records, undefined, true);
      } catch (e) {
        if (e instanceof AppendError && e.reason === "conflict") onConflict();
        throw e;
      }
    },
    async replay(visit: (record: LogRecord) => void): Promise<void> {
      const count = await log.replay((r) => visit(r));
      quiet.info("replayed __consumer_offsets", { records: count });
    },
  };
}
