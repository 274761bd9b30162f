import { type ShardLog, ShardLogConflictError } from "@logbook/group-coordinator";
import { AppendError, InternalLog, type StorageEngine } from "@logbook/storage";
import { decodeEntry, encodeEvent, type MetadataEvent } from "./metadata-records.js";
import { METADATA_TOPIC } from "./topic-names.js";

/**
 * The broker's own state as an internal compacted log (`__cluster_metadata`/0), the
 * topic registry's runtime shard log: every change is appended as one batch, durable
 * before the request that made it is answered, and start-up replays the log from its
 * start. Records this broker does not know are skipped.
 *
 * Several brokers over one database share this log: each follows what the others
 * append (catchUp, woken by onRemoteAppend), and appends only when it has seen
 * everything before (a conditional append), so two brokers never decide on different
 * states (two creations of one topic name, say).
 */
export class MetadataLog implements ShardLog<MetadataEvent> {
  private constructor(private readonly log: InternalLog) {}

  static async open(storage: StorageEngine): Promise<MetadataLog> {
    return new MetadataLog(await InternalLog.open(storage, METADATA_TOPIC));
  }

  /** Appends the events as one batch (all or nothing), only on top of what was seen. */
  async append(events: readonly MetadataEvent[]): Promise<void> {
    try {
      await this.log.append(events.map(encodeEvent), undefined, true);
    } catch (e) {
      if (e instanceof AppendError && e.reason === "conflict")
        throw new ShardLogConflictError(e.message);
      throw e;
    }
  }

  /** Calls `visit` for every record from the start of the log, in offset order. */
  async replay(visit: (event: MetadataEvent) => void): Promise<void> {
    await this.log.replay((r) => {
      const event = decodeEntry(r.key, r.value);
      if (event !== undefined) visit(event);
    });
  }

  async catchUp(visit: (event: MetadataEvent) => void): Promise<void> {
    if (!this.log.behind) return;
    await this.log.catchUp((r) => {
      const event = decodeEntry(r.key, r.value);
      if (event !== undefined) visit(event);
    });
  }

  onRemoteAppend(listener: () => void): () => void {
    return this.log.log.onAppend(() => {
      if (this.log.behind) listener();
    });
  }
}
