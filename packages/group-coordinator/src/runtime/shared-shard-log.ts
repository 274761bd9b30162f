import { AppendError, type InternalLog, type KeyValueRecord } from "@logbook/storage";
import { ShardLogConflictError } from "./coordinator-errors.js";
import type { ShardLog } from "./coordinator-runtime.js";

/** How a shard's records become an internal log's key/value records and back. */
export interface ShardCodec<Rec> {
  encode(records: readonly Rec[]): { records: KeyValueRecord[]; timestamp?: number };
  /** undefined: a record this broker does not know (skipped). */
  decode(record: KeyValueRecord): Rec | undefined;
}

/**
 * A shard log on an internal log that several brokers may append to (one database
 * behind them): each append is conditional on this broker having seen everything
 * before it (else ShardLogConflictError: the runtime catches up and decides again), and
 * the state follows what the others append (catchUp, woken by onRemoteAppend). On a
 * broker alone, nobody else appends and the conditions always hold.
 */
export function sharedShardLog<Rec>(
  log: InternalLog,
  codec: ShardCodec<Rec>,
  onReplayed: (records: number) => void = () => {},
): ShardLog<Rec> {
  const visitAll = (visit: (record: Rec) => void) => (r: KeyValueRecord) => {
    const rec = codec.decode(r);
    if (rec !== undefined) visit(rec);
  };
  return {
    async append(records) {
      const { records: encoded, timestamp } = codec.encode(records);
      try {
        await log.append(encoded, timestamp, true);
      } catch (e) {
        if (e instanceof AppendError && e.reason === "conflict")
          throw new ShardLogConflictError(e.message);
        throw e;
      }
    },
    async replay(visit) {
      onReplayed(await log.replay(visitAll(visit)));
    },
    async catchUp(visit) {
      if (!log.behind) return;
      await log.catchUp(visitAll(visit));
    },
    onRemoteAppend(listener) {
      return log.log.onAppend(() => {
        if (log.behind) listener();
      });
    },
  };
}
