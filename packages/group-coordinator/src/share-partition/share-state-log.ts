import { InternalLog, type Logger, type StorageEngine } from "@logbook/storage";
import type { ShardLog } from "../runtime/index.js";
import {
  decodeShareStateRecord,
  encodeShareStateRecord,
  type ShareStateRecord,
} from "./share-state-records.js";

export const SHARE_GROUP_STATE_TOPIC = "__share_group_state";

/**
 * The share-state shard's records on the internal compacted topic
 * `__share_group_state`/0: durable before the request that wrote them is answered;
 * compaction keeps the latest state of each share-partition. Records of an unknown
 * version are skipped.
 */
export async function openShareStateLog(
  storage: StorageEngine,
  logger: Logger,
): Promise<ShardLog<ShareStateRecord>> {
  const log = await InternalLog.open(storage, SHARE_GROUP_STATE_TOPIC);
  const quiet = logger.child({ component: "share-group-state-log" });
  return {
    append: (records) => log.append(records.map(encodeShareStateRecord)),
    async replay(visit) {
      let skipped = 0;
      const count = await log.replay((r) => {
        const decoded = decodeShareStateRecord(r);
        if (decoded === null) skipped++;
        else visit(decoded);
      });
      quiet.info("replayed __share_group_state", { records: count, skipped });
    },
  };
}
