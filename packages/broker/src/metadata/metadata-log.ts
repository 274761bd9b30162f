import { type ShardLog, sharedShardLog } from "@logbook/group-coordinator";
import { InternalLog, type StorageEngine } from "@logbook/storage";
import { decodeEntry, encodeEvent, type MetadataEvent } from "./metadata-records.js";
import { METADATA_TOPIC } from "./topic-names.js";

/**
 * The broker's own state as an internal compacted log (`__cluster_metadata`/0), the
 * topic registry's runtime shard log: every change is appended as one batch, durable
 * before the request that made it is answered, and start-up replays the log from its
 * start. Records this broker does not know are skipped.
 *
 * Several brokers over one database share this log (sharedShardLog): each follows what
 * the others append and appends only when it has seen everything before, so two
 * brokers never decide on different states (two creations of one topic name, say).
 */
export type MetadataLog = ShardLog<MetadataEvent>;

export async function openMetadataLog(storage: StorageEngine): Promise<MetadataLog> {
  return sharedShardLog(await InternalLog.open(storage, METADATA_TOPIC), {
    encode: (events) => ({ records: events.map(encodeEvent) }),
    decode: (r) => decodeEntry(r.key, r.value),
  });
}
