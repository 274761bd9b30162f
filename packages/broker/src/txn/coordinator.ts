import { CoordinatorRuntime } from "@logbook/group-coordinator";
import { ErrorCode } from "@logbook/protocol";
import {
  type Clock,
  InternalLog,
  type Logger,
  realClock,
  type StorageEngine,
} from "@logbook/storage";
import { CompletionRunner } from "./completion.js";
import {
  type TopicPartitionRef,
  type TxnMarkerWriter,
  type TxnOffsetsCompleter,
  type TxnProduceCheck,
  tpKey,
} from "./contracts.js";
import {
  initProducerIdError,
  type ProducerIdAndEpoch,
  planInitProducerId,
} from "./init-producer-id.js";
import { listTransactions, type TxnList, type TxnListFilter } from "./queries.js";
import type { TxnMetadata } from "./records.js";
import { isPrepare, TxnState } from "./state.js";
import {
  DECIDED,
  planAbortTimedOut,
  planAdd,
  planEndTxn,
  planExpireIds,
  type TxnOpContext,
  type TxnProducer,
  transitionTo,
} from "./txn-operations.js";
import {
  emptyTxnState,
  replayTxnRecord,
  TXN_TIMER_KEYS,
  type TxnResult,
  type TxnRuntime,
  type TxnShardState,
  transitionRecord,
  txnShardLog,
} from "./txn-shard.js";

/** The internal partition holding transaction state. */
export const TRANSACTION_STATE_PARTITION = { topic: "__transaction_state", partition: 0 } as const;

export interface TxnCoordinatorOptions {
  storage: StorageEngine;
  logger: Logger;
  /** transaction.max.timeout.ms */
  maxTimeoutMs: number;
  /** A fresh producer id (the data plane's durable allocator). */
  allocateProducerId: () => Promise<bigint>;
  /** Time and timers (the real clock by default). */
  clock?: Clock;
  /**
   * transaction.abort.timed.out.transaction.cleanup.interval.ms: how often open
   * transactions are checked against their timeout; 0 = no timer.
   */
  abortCheckIntervalMs: number;
  /**
   * transaction.remove.expired.transaction.cleanup.interval.ms: how often ids are
   * checked against expirationMs; 0 = no timer.
   */
  expiryCheckIntervalMs: number;
  /** Delay between attempts to write the markers of a decided transaction. */
  markerRetryMs?: number;
  /**
   * transactional.id.expiration.ms: an id idle (no transaction open) this long is
   * forgotten (a tombstone in `__transaction_state`).
   */
  expirationMs: number;
}

const NONE = ErrorCode.NONE;

/** What reads see before the state is loaded. */
const EMPTY_STATE: TxnShardState = emptyTxnState();

/** A check that has nothing to do (transactions not wired yet). */
const NOTHING: TxnResult<unknown> = { records: [], response: undefined };

/**
 * Kafka's transaction coordinator for a single node (KIP-98; transactions v2, KIP-890,
 * where the request versions and transaction.version ask for it):
 * one TxnMetadata per transactional id, persisted in `__transaction_state`. It runs on
 * the coordinator runtime: every operation (the planners in init-producer-id.ts and
 * txn-operations.ts) is checked against the transition table and returns its records,
 * which the runtime appends, replays (the start-up path) and only then answers.
 * Operations run one at a time, so two requests on one id never interleave; a failed
 * append answers COORDINATOR_NOT_AVAILABLE.
 *
 * EndTxn decides the outcome (PrepareCommit/PrepareAbort), then writes the markers
 * through the data plane, completes the groups' pending offsets and records
 * CompleteCommit/CompleteAbort. Failed marker writes are retried in the background;
 * a decided transaction found at start-up is completed the same way (markers are
 * idempotent for the data plane). The timeout and expiry checks are keyed timers.
 */
export class TransactionCoordinator implements TxnProduceCheck {
  private rt: TxnRuntime | null = null;
  private log: InternalLog | null = null;
  /**
   * Brokers sharing one database all follow `__transaction_state`, but one at a time
   * coordinates (the leader of its partition): it answers the clients' transactional
   * requests, runs the timeout and expiry checks and completes decided transactions.
   * The others answer NOT_COORDINATOR and use the state only to check transactional
   * produce to the partitions they lead (and to add those partitions, transactions v2).
   */
  private steppedDown = false;
  private markers: TxnMarkerWriter | null = null;
  private offsets: TxnOffsetsCompleter | null = null;
  private readonly closing = new AbortController();
  /** The coordinator's time and timers (the broker's one clock). */
  readonly clock: Clock;
  private readonly completion: CompletionRunner;

  constructor(private readonly opts: TxnCoordinatorOptions) {
    this.clock = opts.clock ?? realClock();
    this.completion = new CompletionRunner(
      {
        get: (id) => this.state.txns.get(id),
        write: (next) => this.write(next),
        transitionTo: (m, state, change) => transitionTo(m, state, this.clock.now(), change),
        parts: () =>
          this.markers === null || this.offsets === null
            ? null
            : { markers: this.markers, offsets: this.offsets },
        logger: opts.logger,
        coordinating: () => this.coordinating,
      },
      opts.markerRetryMs ?? 1000,
      this.clock,
      this.closing.signal,
    );
  }

  /** The replayed state (empty until loaded). */
  private get state(): TxnShardState {
    return this.rt?.state ?? EMPTY_STATE;
  }

  /** True once the state is replayed and both the marker writer and the offsets completer are attached. */
  get available(): boolean {
    return this.rt !== null && this.markers !== null && this.offsets !== null;
  }

  get loaded(): boolean {
    return this.rt !== null;
  }

  /** True on the broker that coordinates transactions (always, for a single node). */
  get coordinating(): boolean {
    return !this.steppedDown;
  }

  /** Another broker coordinates transactions now (see `steppedDown`). */
  stepDown(): void {
    this.steppedDown = true;
  }

  /**
   * This broker coordinates transactions now: it catches up with the log (what the
   * coordinator before it wrote), then completes the transactions that were decided.
   */
  async takeOver(): Promise<void> {
    this.steppedDown = false;
    if (this.rt === null) return; // load() recovers once loaded
    try {
      await this.refresh();
    } finally {
      // Even on a stale copy: completing writes conditionally, so it catches up then.
      if (this.available && this.coordinating) this.recover();
    }
  }

  /**
   * Reads what other brokers appended to `__transaction_state` up to now (a partition
   * leader checking a transactional batch the coordinator has just allowed, say).
   */
  async refresh(): Promise<void> {
    if (this.rt === null || this.log === null) return;
    await this.log.log.refresh();
    await this.run(() => NOTHING);
  }

  /**
   * The data plane's marker writer and the group coordinator's offsets completer. They
   * are attached rather than passed in so each side can land (and be faked in tests)
   * on its own; transactional ids are refused until both are here.
   */
  attach(parts: { markers?: TxnMarkerWriter; offsets?: TxnOffsetsCompleter }): void {
    if (parts.markers !== undefined) this.markers = parts.markers;
    if (parts.offsets !== undefined) this.offsets = parts.offsets;
    if (this.available && this.coordinating) this.recover();
  }

  /** Replays `__transaction_state`, then completes decided transactions and starts the checks. */
  async load(): Promise<void> {
    const log = await InternalLog.open(
      this.opts.storage,
      TRANSACTION_STATE_PARTITION.topic,
      TRANSACTION_STATE_PARTITION.partition,
    );
    this.log = log;
    const rt = await CoordinatorRuntime.load({
      name: `${TRANSACTION_STATE_PARTITION.topic}-${TRANSACTION_STATE_PARTITION.partition}`,
      state: emptyTxnState(),
      log: txnShardLog(log, () => this.clock.now(), this.opts.logger),
      replay: replayTxnRecord,
      clock: this.clock,
      logger: this.opts.logger,
    });
    this.rt = rt;
    this.opts.logger.info("transaction state loaded", { ids: rt.state.txns.size });
    const ttl = this.opts.expirationMs;
    this.every(rt, TXN_TIMER_KEYS.abortTimedOut, this.opts.abortCheckIntervalMs, (s) =>
      this.available && this.coordinating ? planAbortTimedOut(s, this.context()) : NOTHING,
    );
    this.every(rt, TXN_TIMER_KEYS.expireIds, this.opts.expiryCheckIntervalMs, (s) =>
      this.available && this.coordinating
        ? planExpireIds(s, ttl, this.clock.now(), this.opts.logger)
        : NOTHING,
    );
    if (this.available && this.coordinating) this.recover();
  }

  /** A periodic check as a keyed timer that schedules its next run; 0 ms = never. */
  private every(
    rt: TxnRuntime,
    key: string,
    ms: number,
    check: (s: TxnShardState) => TxnResult<unknown>,
  ): void {
    if (ms <= 0) return;
    rt.schedule(key, ms, (s) => {
      this.every(rt, key, ms, check);
      return check(s);
    });
  }

  /** Stops the timers and background completions (they resume after the next start). */
  async close(): Promise<void> {
    this.closing.abort();
    await this.completion.settled();
    await this.rt?.close();
  }

  get(transactionalId: string): TxnMetadata | undefined {
    return this.state.txns.get(transactionalId);
  }

  all(): IterableIterator<TxnMetadata> {
    return this.state.txns.values();
  }

  list(filter: TxnListFilter): TxnList {
    return listTransactions(this.state.txns.values(), filter, this.clock.now());
  }

  /** Resolves when no operation or background completion is running (tests, shutdown). */
  async idle(): Promise<void> {
    await this.completion.settled();
    await this.rt?.idle();
  }

  private context(now = this.clock.now()): TxnOpContext {
    return {
      now,
      logger: this.opts.logger,
      complete: (id) => void this.completion.drive(id),
    };
  }

  /** Runs an operation on the runtime; refused while the state is not loaded. */
  private run<R>(op: (s: TxnShardState) => Promise<TxnResult<R>> | TxnResult<R>): Promise<R> {
    const rt = this.rt;
    if (rt === null) return Promise.reject(new Error("transaction state is not loaded"));
    return rt.run(op);
  }

  /** Persists and replays one next state (completion steps); a failed append rejects. */
  private write(next: TxnMetadata): Promise<void> {
    return this.run((s) => ({
      records: [transitionRecord(s.txns.get(next.transactionalId), next)],
      response: undefined,
    }));
  }

  /**
   * InitProducerId with a transactional id. `expected` is the KIP-360 producer id and
   * epoch (v3+), or null. Errors use PRODUCER_FENCED; the handler maps it for old versions.
   */
  initProducerId(
    transactionalId: string,
    timeoutMs: number,
    expected: { producerId: bigint; producerEpoch: number } | null,
  ): Promise<ProducerIdAndEpoch> {
    if (!this.coordinating) return Promise.resolve(initProducerIdError(ErrorCode.NOT_COORDINATOR));
    if (!this.loaded) {
      return Promise.resolve(initProducerIdError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS));
    }
    if (timeoutMs <= 0 || timeoutMs > this.opts.maxTimeoutMs) {
      return Promise.resolve(initProducerIdError(ErrorCode.INVALID_TRANSACTION_TIMEOUT));
    }
    return this.run((s) =>
      planInitProducerId(
        s,
        { transactionalId, timeoutMs, expected },
        { ...this.context(), allocateProducerId: this.opts.allocateProducerId },
      ),
    );
  }

  /** Kafka's checks shared by the transactional requests, in Kafka's order. */
  private checkProducer(p: TxnProducer): { errorCode: number; cur?: TxnMetadata } {
    if (!this.coordinating) return { errorCode: ErrorCode.NOT_COORDINATOR };
    if (!this.loaded) return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS };
    const cur = this.state.txns.get(p.transactionalId);
    if (cur === undefined || cur.producerId !== p.producerId) {
      return { errorCode: ErrorCode.INVALID_PRODUCER_ID_MAPPING };
    }
    if (cur.producerEpoch !== p.producerEpoch) return { errorCode: ErrorCode.PRODUCER_FENCED };
    return { errorCode: NONE, cur };
  }

  /** Adds partitions and/or groups to the producer's transaction, starting it if needed. */
  private add(
    p: TxnProducer,
    partitions: readonly TopicPartitionRef[],
    groups: readonly string[],
  ): Promise<number> {
    const checked = this.checkProducer(p);
    if (checked.cur === undefined) return Promise.resolve(checked.errorCode);
    return this.run((s) => planAdd(s, p, partitions, groups, this.clock.now()));
  }

  addPartitions(p: TxnProducer, partitions: readonly TopicPartitionRef[]): Promise<number> {
    return this.add(p, partitions, []);
  }

  /**
   * Transactions v2: the leader of `tp` adds it to the producer's transaction (Kafka's
   * leader asks the coordinator; brokers sharing one database append to the shared
   * log instead, on any broker). The producer checks run on the caught-up state, since
   * this broker's copy may not have seen the producer's InitProducerId yet.
   */
  addPartitionAsLeader(p: TxnProducer, tp: TopicPartitionRef): Promise<number> {
    if (!this.loaded) return Promise.resolve(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    return this.run((s) => {
      const cur = s.txns.get(p.transactionalId);
      if (cur === undefined || cur.producerId !== p.producerId)
        return { records: [], response: ErrorCode.INVALID_PRODUCER_ID_MAPPING };
      if (cur.producerEpoch !== p.producerEpoch)
        return { records: [], response: ErrorCode.PRODUCER_FENCED };
      return planAdd(s, p, [tp], [], this.clock.now());
    });
  }

  /**
   * AddPartitionsToTxn v4+ verify_only (KIP-890 part 1): per partition, NONE when it is
   * in the producer's ongoing transaction, else TRANSACTION_ABORTABLE; the producer
   * checks' error for every partition when they fail.
   */
  verifyPartitions(p: TxnProducer, partitions: readonly TopicPartitionRef[]): Map<string, number> {
    const checked = this.checkProducer(p);
    const cur = checked.cur;
    const result = new Map<string, number>();
    for (const tp of partitions) {
      const key = tpKey(tp);
      if (cur === undefined) result.set(key, checked.errorCode);
      else
        result.set(
          key,
          cur.state === TxnState.ONGOING && cur.partitions.has(key)
            ? NONE
            : ErrorCode.TRANSACTION_ABORTABLE,
        );
    }
    return result;
  }

  addOffsets(p: TxnProducer, groupId: string): Promise<number> {
    return this.add(p, [], [groupId]);
  }

  /**
   * For TxnOffsetCommit (group coordinator): NONE when `groupId` was added to the
   * producer's ongoing transaction by AddOffsetsToTxn; INVALID_PRODUCER_ID_MAPPING for
   * an unknown id or producer id, PRODUCER_FENCED for another epoch (map it to
   * INVALID_PRODUCER_EPOCH below TxnOffsetCommit v3), INVALID_TXN_STATE otherwise.
   */
  checkTxnOffsetCommit(p: TxnProducer, groupId: string): number {
    const checked = this.checkProducer(p);
    if (checked.cur === undefined) return checked.errorCode;
    const { cur } = checked;
    if (cur.state !== TxnState.ONGOING || !cur.groups.has(groupId)) {
      return ErrorCode.INVALID_TXN_STATE;
    }
    return NONE;
  }

  /** True when the group belongs to the producer's ongoing transaction. */
  isGroupInTransaction(p: TxnProducer, groupId: string): boolean {
    return this.checkTxnOffsetCommit(p, groupId) === NONE;
  }

  /**
   * TxnProduceCheck: INVALID_PRODUCER_ID_MAPPING for a producer id no transactional id
   * holds, INVALID_PRODUCER_EPOCH for any other epoch (what Kafka's Produce answers),
   * INVALID_TXN_STATE unless the partition is in the ongoing transaction.
   */
  checkTransactionalProduce(producerId: bigint, producerEpoch: number, tp: TopicPartitionRef) {
    const id = this.state.byProducerId.get(producerId);
    const cur = id === undefined ? undefined : this.state.txns.get(id);
    if (cur === undefined) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (cur.producerEpoch !== producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    if (cur.state !== TxnState.ONGOING || !cur.partitions.has(tpKey(tp))) {
      return ErrorCode.INVALID_TXN_STATE;
    }
    return NONE;
  }

  /**
   * EndTxn. Ongoing -> PrepareCommit/PrepareAbort, then the completion is awaited once
   * (markers, offsets, Complete*); if that attempt fails the decision stands, NONE is
   * answered and the completion is retried in the background. `tv2` (EndTxn v5 with
   * transaction.version 2) bumps the epoch at every end (see planEndTxn); the epoch
   * check is then planEndTxn's, since a retry names the epoch before the bump.
   */
  async endTxn(p: TxnProducer, commit: boolean, tv2 = false): Promise<number> {
    if (!this.coordinating) return ErrorCode.NOT_COORDINATOR;
    if (!this.loaded) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    if (!tv2) {
      const checked = this.checkProducer(p);
      if (checked.cur === undefined) return checked.errorCode;
    }
    const decided = await this.run((s) =>
      planEndTxn(s, p, commit, this.clock.now(), tv2, this.opts.allocateProducerId),
    );
    if (decided !== DECIDED) return decided;
    await this.completion.drive(p.transactionalId);
    return NONE;
  }

  /** Completes every decided transaction (after start-up, once the writers are attached). */
  private recover(): void {
    for (const m of this.state.txns.values()) {
      if (isPrepare(m.state) || m.state === TxnState.PREPARE_EPOCH_FENCE) {
        this.opts.logger.info("completing a transaction decided before the restart", {
          transactionalId: m.transactionalId,
        });
        void this.completion.drive(m.transactionalId);
      }
    }
  }

  /** Forgets ids idle past transactional.id.expiration.ms (see planExpireIds); answers them. */
  expireTransactionalIds(now = this.clock.now()): Promise<string[]> {
    if (!this.available) return Promise.resolve([]);
    const ttl = this.opts.expirationMs;
    return this.run((s) => planExpireIds(s, ttl, now, this.opts.logger));
  }

  /** Aborts the transactions open past their timeout (see planAbortTimedOut); answers the ids. */
  abortTimedOutTransactions(now = this.clock.now()): Promise<string[]> {
    if (!this.available) return Promise.resolve([]);
    return this.run((s) => planAbortTimedOut(s, this.context(now)));
  }
}
