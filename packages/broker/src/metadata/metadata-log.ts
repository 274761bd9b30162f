import { InternalLog, type StorageEngine } from "@logbook/storage";
import { decodeEntry, type MetadataEntry, type MetadataEvent } from "./metadata-records.js";
import { METADATA_TOPIC } from "./topic-names.js";

/**
 * The broker's own state as an internal compacted log (`__cluster_metadata`/0): every
 * change is appended as one batch, durable before the request that made it is
 * answered, and start-up replays the log from its start.
 */
export class MetadataLog {
  private constructor(private readonly log: InternalLog) {}

  static async open(storage: StorageEngine): Promise<MetadataLog> {
    return new MetadataLog(await InternalLog.open(storage, METADATA_TOPIC));
  }

  /** Appends the entries as one batch (all or nothing). */
  append(entries: readonly MetadataEntry[]): Promise<void> {
    return this.log.append(entries);
  }

  /** Calls `visit` for every record from the start of the log, in offset order. */
  replay(visit: (event: MetadataEvent) => void): Promise<number> {
    return this.log.replay((r) => {
      const event = decodeEntry(r.key, r.value);
      if (event !== undefined) visit(event);
    });
  }
}
