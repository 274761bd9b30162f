import { AckType, type AcquiredRange, type SharePartitionKey } from "@logbook/group-coordinator";
import { ErrorCode, iterateRecords } from "@logbook/protocol";
import type { PartitionLog } from "@logbook/storage";
import type { ShareAutoOffsetReset } from "../config/group-config-defs.js";
import type { DataPlane } from "../data/index.js";
import { abortedBatchOffsets, overlapOf, withoutOffsets } from "./aborted-records.js";
import type { SharePartitionService } from "./share-partition-service.js";

/** What one partition answers in a ShareFetch: acquired ranges and the batches holding them. */
export interface ShareRead {
  readonly errorCode: ErrorCode;
  readonly ranges: readonly AcquiredRange[];
  readonly records: Buffer;
}

/** Bytes asked of the log per read step; a batch larger than this still comes whole. */
const READ_BYTES = 1 << 20;

const NOTHING: ShareRead = { errorCode: ErrorCode.NONE, ranges: [], records: Buffer.alloc(0) };

/**
 * Acquires up to `maxRecords` records of one share-partition for `memberId` and reads the
 * stored batches that hold them (whole batches, as stored: the consumer keeps only the
 * acquired offsets). A share-partition used for the first time starts at the log start
 * (share.auto.offset.reset earliest) or the high watermark (latest).
 *
 * share.isolation.level read_committed, as Kafka: records are acquired only below the
 * last stable offset, and acquired records of aborted transactions are archived at once
 * and not handed out (control records are acquired either way; consumers skip them).
 */
export async function acquireAndRead(
  share: SharePartitionService,
  plane: Pick<DataPlane, "producerState">,
  key: SharePartitionKey,
  log: PartitionLog,
  memberId: string,
  maxRecords: number,
): Promise<ShareRead> {
  const state = share.state;
  if (state === null) return { ...NOTHING, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
  if (maxRecords <= 0) return NOTHING;
  const settings = share.settingsOf(key.groupId);
  const readCommitted = settings.isolationLevel === "read_committed";
  // Loading the producer state keeps the log's LSO current, open transactions included.
  if (readCommitted) await plane.producerState(log);
  for (;;) {
    const logStartOffset = BigInt(log.logStartOffset);
    const logEndOffset = BigInt(readCommitted ? log.lastStableOffset : log.highWatermark);
    // Only a share-partition without state starts somewhere: a by_duration start is a
    // timestamp search, not to be paid on every fetch.
    const initialOffset = state.known(key)
      ? logStartOffset
      : await startingOffset(
          settings.autoOffsetReset,
          log,
          logStartOffset,
          logEndOffset,
          state.clock.now(),
        );
    const acquired = await state.acquire(key, memberId, maxRecords, {
      logStartOffset,
      logEndOffset,
      initialOffset,
    });
    const first = acquired.ranges[0];
    const last = acquired.ranges.at(-1);
    if (acquired.errorCode !== ErrorCode.NONE || first === undefined || last === undefined)
      return { ...NOTHING, errorCode: acquired.errorCode };
    const records = await readBatches(log, first.firstOffset, last.lastOffset);
    if (!readCommitted) return { errorCode: ErrorCode.NONE, ranges: acquired.ranges, records };
    const aborted = await log.abortedTransactions(
      Number(first.firstOffset),
      Number(last.lastOffset + 1n),
    );
    const archive = overlapOf(acquired.ranges, abortedBatchOffsets(records, aborted));
    if (archive.length === 0)
      return { errorCode: ErrorCode.NONE, ranges: acquired.ranges, records };
    // Archiving is a REJECT by the member holding them: the same terminal state Kafka gives.
    const errorCode = await state.acknowledge(
      key,
      memberId,
      archive.map((r) => ({ ...r, acknowledgeTypes: [AckType.REJECT] })),
    );
    if (errorCode !== ErrorCode.NONE) return { ...NOTHING, errorCode };
    const ranges = withoutOffsets(acquired.ranges, archive);
    // Everything acquired was aborted: acquire again past it rather than answer nothing.
    if (ranges.length > 0) return { errorCode: ErrorCode.NONE, ranges, records };
  }
}

/**
 * Where a share-partition with no state starts (share.auto.offset.reset): the log start,
 * the high watermark, or the first record no older than a duration (the high watermark
 * when there is none), as Kafka.
 */
async function startingOffset(
  reset: ShareAutoOffsetReset,
  log: PartitionLog,
  logStartOffset: bigint,
  logEndOffset: bigint,
  now: number,
): Promise<bigint> {
  if (reset.kind === "earliest") return logStartOffset;
  if (reset.kind === "latest") return logEndOffset;
  const found = await log.offsetForTimestamp(now - reset.durationMs);
  return found === null ? logEndOffset : BigInt(found.offset);
}

/**
 * The stored batches covering [first, last], read in as many steps as segments need;
 * batches starting after `last` are cut off (a read returns whole batches up to the high
 * watermark).
 */
async function readBatches(log: PartitionLog, first: bigint, last: bigint): Promise<Buffer> {
  const parts: Buffer[] = [];
  let offset = first;
  while (offset <= last) {
    const read = await log.read(Number(offset), READ_BYTES);
    if (read.kind !== "ok" || read.records.length === 0) break;
    let cut = 0;
    let next = offset;
    for (const e of iterateRecords(read.records)) {
      if (e.magic !== 2 || e.header.baseOffset > last) break;
      cut = e.end;
      next = e.header.lastOffset + 1n;
    }
    if (cut === 0) break;
    parts.push(read.records.subarray(0, cut));
    offset = next;
  }
  return Buffer.concat(parts);
}
