import type { Logger } from "@logbook/storage";
import type { RecordLog } from "../record-log.js";
import type { ShardLog } from "../runtime/index.js";
import {
  decodeShareRecord,
  encodeShareRecord,
  isShareGroupKey,
  type ShareRecord,
} from "./share-records.js";

/**
 * The share-group shard's records over the `__consumer_offsets` RecordLog it shares with
 * the classic groups: other kinds are the classic shard's and skipped silently; share
 * kinds this broker cannot read are skipped and counted.
 */
export function shareShardLog(log: RecordLog, logger: Logger): ShardLog<ShareRecord> {
  return {
    append: (records) => log.append(records.map(encodeShareRecord)),
    async replay(visit) {
      let skipped = 0;
      await log.replay((raw) => {
        if (!isShareGroupKey(raw.key)) return;
        const rec = decodeShareRecord(raw);
        if (rec === undefined) skipped++;
        else visit(rec);
      });
      if (skipped > 0) logger.warn("skipped unreadable share-group records", { skipped });
    },
  };
}
