import type { Logger } from "@logbook/storage";
import type { ClassicGroup } from "./group.js";
import type { RecordLog } from "./record-log.js";
import { type CoordinatorRecord, decodeRecord, encodeRecord } from "./records.js";
import type { CoordinatorResult, CoordinatorRuntime, ShardLog } from "./runtime/index.js";
import { isShareGroupKey } from "./share/share-records.js";

/** The groups of one `__consumer_offsets` shard, by group id. */
export type Groups = Map<string, ClassicGroup>;
export type GroupRuntime = CoordinatorRuntime<Groups, CoordinatorRecord>;
export type GroupResult<R> = CoordinatorResult<CoordinatorRecord, R>;

/** The shard's records over the byte-level RecordLog; unknown records are skipped (counted). */
export function groupShardLog(log: RecordLog, logger: Logger): ShardLog<CoordinatorRecord> {
  return {
    append: (records) => log.append(records.map(encodeRecord)),
    async replay(visit) {
      let skipped = 0;
      await log.replay((raw) => {
        // Share-group records (kinds 9-15) are the share shard's: not unknown here.
        if (isShareGroupKey(raw.key)) return;
        const rec = decodeRecord(raw);
        if (rec === undefined) skipped++;
        else visit(rec);
      });
      if (skipped > 0) logger.warn("skipped unknown __consumer_offsets records", { skipped });
    },
  };
}

/** Timer keys: one session per member, one rebalance deadline and one reservation per id. */
export const timerKeys = {
  session: (group: string, member: string) => `session:${group}:${member}`,
  pending: (group: string, member: string) => `pending:${group}:${member}`,
  rebalance: (group: string) => `rebalance:${group}`,
  offsetsRetention: "offsets-retention",
} as const;
