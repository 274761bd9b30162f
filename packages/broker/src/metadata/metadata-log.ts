import type { ShardLog } from "@logbook/group-coordinator";
import { InternalLog, type StorageEngine } from "@logbook/storage";
import { decodeEntry, encodeEvent, type MetadataEvent } from "./metadata-records.js";
import { METADATA_TOPIC } from "./topic-names.js";

/**
 * The broker's own state as an internal compacted log (`__cluster_metadata`/0), the
 * topic registry's runtime shard log: every change is appended as one batch, durable
 * before the request that made it is answered, and start-up replays the log from its
 * start. Records this broker does not know are skipped.
 */
export class MetadataLog implements ShardLog<MetadataEvent> {
  private constructor(private readonly log: InternalLog) {}

  static async open(storage: StorageEngine): Promise<MetadataLog> {
    return new MetadataLog(await InternalLog.open(storage, METADATA_TOPIC));
  }

  /** Appends the events as one batch (all or nothing). */
  append(events: readonly MetadataEvent[]): Promise<void> {
    return this.log.append(events.map(encodeEvent));
  }

  /** Calls `visit` for every record from the start of the log, in offset order. */
  async replay(visit: (event: MetadataEvent) => void): Promise<void> {
    await this.log.replay((r) => {
      const event = decodeEntry(r.key, r.value);
      if (event !== undefined) visit(event);
    });
  }
}
