import { ErrorCode } from "@logbook/protocol";
import type { Clock, Logger } from "@logbook/storage";
import { CoordinatorRuntime, type ShardLog } from "../runtime/index.js";
import { type AckBatch, type AcquiredRange, RecordState } from "./in-flight.js";
import {
  SharePartition,
  type SharePartitionLimits,
  type SharePartitionSnapshot,
} from "./share-partition.js";
import {
  type SharePartitionKey,
  type ShareStateRecord,
  sharePartitionId,
} from "./share-state-records.js";

/**
 * The share-state shard. `persisted` is the durable state, changed only by replaying
 * records; `live` holds the share-partitions in use (with their lock holders and lock
 * deadlines, which are not durable), each rebuilt from `persisted` on first use, so a
 * restart makes acquired records available again.
 */
export interface ShareStateShard {
  readonly persisted: Map<string, { key: SharePartitionKey; snapshot: SharePartitionSnapshot }>;
  readonly live: Map<string, SharePartition>;
}

export function replayShareState(state: ShareStateShard, r: ShareStateRecord): void {
  const id = sharePartitionId(r.key);
  if (r.snapshot === null) {
    state.persisted.delete(id);
    state.live.delete(id);
  } else {
    state.persisted.set(id, { key: r.key, snapshot: r.snapshot });
  }
}

function sameSnapshot(a: SharePartitionSnapshot, b: SharePartitionSnapshot): boolean {
  if (a.startOffset !== b.startOffset || a.stateEpoch !== b.stateEpoch) return false;
  if (a.batches.length !== b.batches.length) return false;
  return a.batches.every((x, i) => {
    const y = b.batches[i];
    return (
      y !== undefined &&
      x.firstOffset === y.firstOffset &&
      x.lastOffset === y.lastOffset &&
      x.state === y.state &&
      x.deliveryCount === y.deliveryCount
    );
  });
}

export interface ShareStateOptions {
  log: ShardLog<ShareStateRecord>;
  clock: Clock;
  logger: Logger;
  /** The limits of a group's share-partitions (group configs over broker defaults). */
  limits: (groupId: string) => SharePartitionLimits;
}

/** Where a share-partition that has no state yet starts, and what the log holds now. */
export interface LogBounds {
  readonly logStartOffset: bigint;
  readonly logEndOffset: bigint;
  /** The SPSO of a share-partition first used now (share.auto.offset.reset). */
  readonly initialOffset: bigint;
}

export interface AcquireResult {
  readonly errorCode: ErrorCode;
  readonly ranges: readonly AcquiredRange[];
}

/** A share-partition's persisted start offset, for the share offsets admin APIs. */
export interface ShareOffset {
  readonly key: SharePartitionKey;
  readonly startOffset: bigint;
}

/** What DescribeShareGroupOffsets reports of a share-partition. */
export interface ShareOffsetSummary extends ShareOffset {
  /** In-flight records already acknowledged or archived (not part of the lag). */
  readonly deliveryComplete: bigint;
}

function deliveryComplete(s: SharePartitionSnapshot): bigint {
  let n = 0n;
  for (const b of s.batches)
    if (b.state === RecordState.ACKNOWLEDGED || b.state === RecordState.ARCHIVED)
      n += b.lastOffset - b.firstOffset + 1n;
  return n;
}

/**
 * Share-partition state (KIP-932) over `__share_group_state`, on the one coordinator
 * runtime: every acquisition, acknowledgement, release and reset runs on its serial queue
 * and writes the share-partition's new state before it is answered (Kafka's share
 * coordinator writes on acknowledgement; writing on acquisition too keeps delivery
 * counts across a restart). A failed write answers COORDINATOR_NOT_AVAILABLE and drops
 * the live share-partition, so it is rebuilt from what is durable.
 */
export class ShareStateCoordinator {
  private constructor(
    private readonly rt: CoordinatorRuntime<ShareStateShard, ShareStateRecord>,
    private readonly limits: (groupId: string) => SharePartitionLimits,
  ) {}

  static async load(opts: ShareStateOptions): Promise<ShareStateCoordinator> {
    const rt = await CoordinatorRuntime.load<ShareStateShard, ShareStateRecord>({
      name: "__share_group_state-0",
      state: { persisted: new Map(), live: new Map() },
      log: opts.log,
      replay: replayShareState,
      clock: opts.clock,
      logger: opts.logger,
    });
    return new ShareStateCoordinator(rt, opts.limits);
  }

  get clock(): Clock {
    return this.rt.clock;
  }

  /** Hands up to `maxRecords` records of one share-partition to `memberId`. */
  acquire(
    key: SharePartitionKey,
    memberId: string,
    maxRecords: number,
    bounds: LogBounds,
  ): Promise<AcquireResult> {
    return this.change<AcquireResult>(
      key,
      bounds.initialOffset,
      (sp) => ({
        errorCode: ErrorCode.NONE,
        ranges: sp.acquire(
          memberId,
          maxRecords,
          bounds.logStartOffset,
          bounds.logEndOffset,
          this.clock.now(),
        ),
      }),
      (errorCode) => ({ errorCode, ranges: [] }),
    );
  }

  /** Applies a member's acknowledgements to one share-partition (all or nothing). */
  acknowledge(
    key: SharePartitionKey,
    memberId: string,
    batches: readonly AckBatch[],
  ): Promise<ErrorCode> {
    if (!this.known(key)) return Promise.resolve(ErrorCode.INVALID_RECORD_STATE);
    return this.change(
      key,
      0n,
      (sp) => sp.acknowledge(memberId, batches, this.clock.now()),
      (errorCode) => errorCode,
    );
  }

  /** Returns what `memberId` holds in these share-partitions (its session closed). */
  async releaseMember(keys: readonly SharePartitionKey[], memberId: string): Promise<void> {
    for (const key of keys) {
      if (!this.known(key)) continue;
      await this.change(
        key,
        0n,
        (sp) => sp.releaseMember(memberId),
        () => false,
      );
    }
  }

  /** The share-partitions of a group that are in use or have state. */
  keysOf(groupId: string): SharePartitionKey[] {
    const keys = new Map<string, SharePartitionKey>();
    for (const { key } of this.rt.state.persisted.values())
      if (key.groupId === groupId) keys.set(sharePartitionId(key), key);
    return [...keys.values()];
  }

  /** The earliest lock deadline among these share-partitions, or null. */
  nextLockExpiry(keys: readonly SharePartitionKey[]): number | null {
    let next: number | null = null;
    for (const key of keys) {
      const at = this.rt.state.live.get(sharePartitionId(key))?.nextLockExpiry() ?? null;
      if (at !== null && (next === null || at < next)) next = at;
    }
    return next;
  }

  /** Share-partitions of a group that have state, with their start offsets. */
  offsets(groupId: string): ShareOffsetSummary[] {
    const out: ShareOffsetSummary[] = [];
    for (const { key, snapshot } of this.rt.state.persisted.values()) {
      if (key.groupId === groupId)
        out.push({
          key,
          startOffset: snapshot.startOffset,
          deliveryComplete: deliveryComplete(snapshot),
        });
    }
    return out;
  }

  /** Group ids that have share-partition state. */
  groupIds(): string[] {
    return [...new Set([...this.rt.state.persisted.values()].map((p) => p.key.groupId))];
  }

  /** Sets the start offsets of share-partitions, forgetting what was in flight (new state epoch). */
  alter(entries: readonly ShareOffset[]): Promise<ErrorCode> {
    return this.rt.run((state) => {
      const records = entries.map(({ key, startOffset }) => {
        const id = sharePartitionId(key);
        state.live.delete(id);
        const epoch = (state.persisted.get(id)?.snapshot.stateEpoch ?? -1) + 1;
        return { key, snapshot: { startOffset, stateEpoch: epoch, batches: [] } };
      });
      return { records, response: ErrorCode.NONE, failed: (code: number) => code as ErrorCode };
    });
  }

  /** Forgets share-partitions (DeleteShareGroupOffsets). */
  delete(keys: readonly SharePartitionKey[]): Promise<ErrorCode> {
    return this.rt.run((state) => {
      const records = keys
        .filter((k) => state.persisted.has(sharePartitionId(k)))
        .map((key) => ({ key, snapshot: null }));
      return { records, response: ErrorCode.NONE, failed: (code: number) => code as ErrorCode };
    });
  }

  close(): Promise<void> {
    return this.rt.close();
  }

  /** Whether the share-partition is in use or has state (a new one needs a start offset). */
  known(key: SharePartitionKey): boolean {
    const id = sharePartitionId(key);
    return this.rt.state.live.has(id) || this.rt.state.persisted.has(id);
  }

  /** Runs `op` on the live share-partition and persists its state if it changed. */
  private change<R>(
    key: SharePartitionKey,
    initialOffset: bigint,
    op: (sp: SharePartition) => R,
    failed: (errorCode: ErrorCode) => R,
  ): Promise<R> {
    return this.rt.run((state) => {
      const id = sharePartitionId(key);
      const limits = this.limits(key.groupId);
      const persisted = state.persisted.get(id)?.snapshot;
      let sp = state.live.get(id);
      if (sp === undefined) {
        sp =
          persisted === undefined
            ? new SharePartition(limits, initialOffset)
            : SharePartition.restore(limits, persisted);
        state.live.set(id, sp);
      }
      const response = op(sp);
      const snapshot = sp.snapshot();
      const records =
        persisted !== undefined && sameSnapshot(persisted, snapshot) ? [] : [{ key, snapshot }];
      return {
        records,
        response,
        failed: (code: number) => {
          state.live.delete(id);
          return failed(code as ErrorCode);
        },
      };
    });
  }
}
