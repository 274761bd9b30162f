import { ErrorCode } from "@logbook/protocol";
import {
  type AckBatch,
  AckType,
  type AcquiredRange,
  type InFlightRecord,
  RecordState,
  type StateBatch,
} from "./in-flight.js";

/** The share group's limits that shape one share-partition (Kafka's group.share.*). */
export interface SharePartitionLimits {
  /** group.share.delivery.count.limit: a record delivered this often is archived, not offered again. */
  readonly deliveryCountLimit: number;
  /** group.share.record.lock.duration.ms: how long an acquired record stays with its consumer. */
  readonly lockDurationMs: number;
  /** group.share.partition.max.record.locks: at most this many offsets in flight (SPEO - SPSO). */
  readonly maxInFlightRecords: number;
}

/** What a share-partition is rebuilt from (persisted state, or a reset). */
export interface SharePartitionSnapshot {
  readonly startOffset: bigint;
  readonly stateEpoch: number;
  /** Every in-flight offset from startOffset on, in order, without holes. */
  readonly batches: readonly StateBatch[];
}

/**
 * One share-partition of one share group (KIP-932): which records of a topic-partition
 * are available, acquired by which member until when, acknowledged or archived.
 *
 * Pure: time comes in as `now` (ms), nothing is persisted here; the caller persists
 * `snapshot()` after a change and rebuilds with `restore`. Offsets below the SPSO are
 * done; [SPSO, SPEO) are in flight, one entry each; the SPEO and beyond were never handed
 * out. Invariants: an ACQUIRED record has one holder and a lock; the SPSO never rests on
 * an ACKNOWLEDGED or ARCHIVED record; SPEO - SPSO <= maxInFlightRecords, except after a
 * restore of a larger state.
 */
export class SharePartition {
  private start: bigint;
  private end: bigint;
  private readonly inFlight = new Map<bigint, InFlightRecord>();
  private epoch: number;

  constructor(
    private readonly limits: SharePartitionLimits,
    startOffset: bigint,
    stateEpoch = 0,
  ) {
    this.start = startOffset;
    this.end = startOffset;
    this.epoch = stateEpoch;
  }

  /**
   * Rebuilds from persisted state. A record that was ACQUIRED when the state was written
   * has lost its holder (the broker restarted), so it is AVAILABLE again with its
   * delivery count kept, or ARCHIVED when that count has reached the limit.
   */
  static restore(limits: SharePartitionLimits, snapshot: SharePartitionSnapshot): SharePartition {
    const sp = new SharePartition(limits, snapshot.startOffset, snapshot.stateEpoch);
    for (const b of snapshot.batches) {
      for (let o = b.firstOffset; o <= b.lastOffset; o++) {
        if (o < sp.start) continue;
        const rec: InFlightRecord = {
          state: b.state,
          deliveryCount: b.deliveryCount,
          memberId: null,
          lockExpiresAt: 0,
        };
        if (rec.state === RecordState.ACQUIRED) sp.release(rec);
        sp.inFlight.set(o, rec);
        if (o >= sp.end) sp.end = o + 1n;
      }
    }
    // An offset missing from the snapshot was never delivered: available, count 0.
    for (let o = sp.start; o < sp.end; o++) {
      if (!sp.inFlight.has(o))
        sp.inFlight.set(o, {
          state: RecordState.AVAILABLE,
          deliveryCount: 0,
          memberId: null,
          lockExpiresAt: 0,
        });
    }
    sp.advance();
    return sp;
  }

  /** Share-partition start offset (SPSO). */
  get startOffset(): bigint {
    return this.start;
  }

  /** Share-partition end offset (SPEO): the first offset never handed out. */
  get endOffset(): bigint {
    return this.end;
  }

  get stateEpoch(): number {
    return this.epoch;
  }

  /** The in-flight record at `offset`, for inspection (tests, describe). */
  record(offset: bigint): Readonly<InFlightRecord> | undefined {
    return this.inFlight.get(offset);
  }

  /**
   * Hands up to `maxRecords` records to `memberId`, locked until now + lock duration:
   * released or lock-expired records first (lowest offset first), then new records up to
   * `logEndOffset`, never more than the in-flight limit. Records below `logStartOffset`
   * no longer exist and are archived first.
   */
  acquire(
    memberId: string,
    maxRecords: number,
    logStartOffset: bigint,
    logEndOffset: bigint,
    now: number,
  ): AcquiredRange[] {
    this.expireLocks(now);
    this.skipTo(logStartOffset);
    const taken: bigint[] = [];
    for (let o = this.start; o < this.end && taken.length < maxRecords; o++) {
      const rec = this.inFlight.get(o);
      if (rec?.state !== RecordState.AVAILABLE) continue;
      this.lock(rec, memberId, now);
      taken.push(o);
    }
    while (
      taken.length < maxRecords &&
      this.end < logEndOffset &&
      this.end - this.start < BigInt(this.limits.maxInFlightRecords)
    ) {
      const rec: InFlightRecord = {
        state: RecordState.AVAILABLE,
        deliveryCount: 0,
        memberId: null,
        lockExpiresAt: 0,
      };
      this.lock(rec, memberId, now);
      this.inFlight.set(this.end, rec);
      taken.push(this.end);
      this.end++;
    }
    return this.ranges(taken);
  }

  /**
   * Applies acknowledgement batches of `memberId`, all or nothing: every offset named
   * must be ACQUIRED by that member with its lock still held (else INVALID_RECORD_STATE);
   * a malformed batch is INVALID_REQUEST. ACCEPT acknowledges, REJECT and GAP archive,
   * RELEASE makes the record available again (archived at the delivery count limit),
   * RENEW keeps it with the member and restarts its lock (whether RENEW is allowed at
   * all depends on the request, which the broker checks before).
   */
  acknowledge(memberId: string, batches: readonly AckBatch[], now: number): ErrorCode {
    this.expireLocks(now);
    const changes: [InFlightRecord, number][] = [];
    for (const b of batches) {
      const span = b.lastOffset - b.firstOffset + 1n;
      const types = b.acknowledgeTypes;
      if (span < 1n || (types.length !== 1 && BigInt(types.length) !== span))
        return ErrorCode.INVALID_REQUEST;
      if (types.some((t) => t < AckType.GAP || t > AckType.RENEW)) return ErrorCode.INVALID_REQUEST;
      for (let o = b.firstOffset; o <= b.lastOffset; o++) {
        const rec = this.inFlight.get(o);
        if (rec?.state !== RecordState.ACQUIRED || rec.memberId !== memberId)
          return ErrorCode.INVALID_RECORD_STATE;
        const type = types.length === 1 ? types[0] : types[Number(o - b.firstOffset)];
        changes.push([rec, type ?? AckType.ACCEPT]);
      }
    }
    for (const [rec, type] of changes) {
      if (type === AckType.ACCEPT) this.settle(rec, RecordState.ACKNOWLEDGED);
      else if (type === AckType.RENEW) rec.lockExpiresAt = now + this.limits.lockDurationMs;
      else if (type === AckType.RELEASE) this.release(rec);
      else this.settle(rec, RecordState.ARCHIVED);
    }
    this.advance();
    return ErrorCode.NONE;
  }

  /** Returns every record `memberId` holds (its session closed or it left). */
  releaseMember(memberId: string): boolean {
    let changed = false;
    for (const rec of this.inFlight.values()) {
      if (rec.state === RecordState.ACQUIRED && rec.memberId === memberId) {
        this.release(rec);
        changed = true;
      }
    }
    this.advance();
    return changed;
  }

  /** Releases every record whose lock lapsed by `now`; true when any did. */
  expireLocks(now: number): boolean {
    let changed = false;
    for (const rec of this.inFlight.values()) {
      if (rec.state === RecordState.ACQUIRED && rec.lockExpiresAt <= now) {
        this.release(rec);
        changed = true;
      }
    }
    if (changed) this.advance();
    return changed;
  }

  /** When the earliest lock lapses, or null when nothing is acquired. */
  nextLockExpiry(): number | null {
    let next: number | null = null;
    for (const rec of this.inFlight.values()) {
      if (rec.state === RecordState.ACQUIRED && (next === null || rec.lockExpiresAt < next))
        next = rec.lockExpiresAt;
    }
    return next;
  }

  /** The state to persist: SPSO, epoch and every in-flight offset as runs. */
  snapshot(): SharePartitionSnapshot {
    const batches: StateBatch[] = [];
    for (let o = this.start; o < this.end; o++) {
      const rec = this.inFlight.get(o);
      if (rec === undefined) continue;
      const last = batches.at(-1);
      if (
        last !== undefined &&
        last.lastOffset === o - 1n &&
        last.state === rec.state &&
        last.deliveryCount === rec.deliveryCount
      ) {
        last.lastOffset = o;
      } else {
        batches.push({
          firstOffset: o,
          lastOffset: o,
          state: rec.state,
          deliveryCount: rec.deliveryCount,
        });
      }
    }
    return { startOffset: this.start, stateEpoch: this.epoch, batches };
  }

  /** Moves the SPSO to `offset` and forgets everything in flight (AlterShareGroupOffsets). */
  resetTo(offset: bigint): void {
    this.inFlight.clear();
    this.start = offset;
    this.end = offset;
    this.epoch++;
  }

  private lock(rec: InFlightRecord, memberId: string, now: number): void {
    rec.state = RecordState.ACQUIRED;
    rec.deliveryCount++;
    rec.memberId = memberId;
    rec.lockExpiresAt = now + this.limits.lockDurationMs;
  }

  private release(rec: InFlightRecord): void {
    this.settle(
      rec,
      rec.deliveryCount >= this.limits.deliveryCountLimit
        ? RecordState.ARCHIVED
        : RecordState.AVAILABLE,
    );
  }

  private settle(rec: InFlightRecord, state: RecordState): void {
    rec.state = state;
    rec.memberId = null;
    rec.lockExpiresAt = 0;
  }

  /** Records below the log start offset are gone: archive them, then move the SPSO. */
  private skipTo(logStartOffset: bigint): void {
    if (this.start >= logStartOffset) return;
    for (let o = this.start; o < logStartOffset && o < this.end; o++) {
      const rec = this.inFlight.get(o);
      if (rec !== undefined) this.settle(rec, RecordState.ARCHIVED);
    }
    if (this.end < logStartOffset) {
      for (const o of this.inFlight.keys()) if (o < logStartOffset) this.inFlight.delete(o);
      this.start = logStartOffset;
      this.end = logStartOffset;
    }
    this.advance();
  }

  /** Moves the SPSO over acknowledged and archived records. */
  private advance(): void {
    for (;;) {
      const rec = this.inFlight.get(this.start);
      if (
        rec === undefined ||
        (rec.state !== RecordState.ACKNOWLEDGED && rec.state !== RecordState.ARCHIVED)
      )
        return;
      this.inFlight.delete(this.start);
      this.start++;
    }
  }

  /** Coalesces acquired offsets (ascending) into ranges of equal delivery count. */
  private ranges(offsets: readonly bigint[]): AcquiredRange[] {
    const out: AcquiredRange[] = [];
    for (const o of offsets) {
      const count = this.inFlight.get(o)?.deliveryCount ?? 0;
      const last = out.at(-1);
      if (last !== undefined && last.lastOffset === o - 1n && last.deliveryCount === count)
        last.lastOffset = o;
      else out.push({ firstOffset: o, lastOffset: o, deliveryCount: count });
    }
    return out;
  }
}
