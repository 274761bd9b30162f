import { answer, CoordinatorRuntime } from "@logbook/group-coordinator";
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
import { listTransactions, type TxnList, type TxnListFilter } from "./queries.js";
import type { TxnMetadata } from "./records.js";
import { isPrepare, TxnState, type TxnStateId } from "./state.js";
import {
  emptyTxnState,
  replayTxnRecord,
  TXN_TIMER_KEYS,
  type TxnResult,
  type TxnRuntime,
  type TxnShardState,
  tombstoneRecord,
  transitionRecord,
  txnShardLog,
} from "./txn-shard.js";

/** The internal partition holding transaction state. */
export const TRANSACTION_STATE_PARTITION = { topic: "__transaction_state", partition: 0 } as const;

/** Kafka's isEpochExhausted: the last epoch handed out before moving to a new producer id. */
export const MAX_PRODUCER_EPOCH = 32766;

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
   * transactions are checked against their timeout; 0 = no timer. Default 10 s.
   */
  abortCheckIntervalMs?: number;
  /**
   * transaction.remove.expired.transaction.cleanup.interval.ms: how often ids are
   * checked against expirationMs; 0 = no timer. Default 1 hour.
   */
  expiryCheckIntervalMs?: number;
  /** Delay between attempts to write the markers of a decided transaction. */
  markerRetryMs?: number;
  /**
   * transactional.id.expiration.ms: an id idle (no transaction open) this long is
   * forgotten (a tombstone in `__transaction_state`). Default 7 days.
   */
  expirationMs?: number;
}

/** Kafka's transactional.id.expiration.ms default. */
export const DEFAULT_TXN_ID_EXPIRATION_MS = 7 * 24 * 60 * 60 * 1000;

export interface ProducerIdAndEpoch {
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
}

/** The producer a transactional request names (checked against the coordinator's state). */
export interface TxnProducer {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
}

const NONE = ErrorCode.NONE;

/** What reads see before the state is loaded. */
const EMPTY_STATE: TxnShardState = emptyTxnState();

/**
 * Kafka's transaction coordinator for a single node (KIP-98, transaction version 1):
 * one TxnMetadata per transactional id, persisted in `__transaction_state`. It runs on
 * the coordinator runtime: every operation is checked against the transition table,
 * returns its records, and the runtime appends them, replays them (the start-up path)
 * and only then answers. Operations run one at a time, so two requests on one id never
 * interleave; a failed append answers COORDINATOR_NOT_AVAILABLE.
 *
 * EndTxn decides the outcome (PrepareCommit/PrepareAbort), then writes the markers
 * through the data plane, completes the groups' pending offsets and records
 * CompleteCommit/CompleteAbort. Failed marker writes are retried in the background;
 * a decided transaction found at start-up is completed the same way (markers are
 * idempotent for the data plane). The timeout and expiry checks are keyed timers.
 */
export class TransactionCoordinator implements TxnProduceCheck {
  private rt: TxnRuntime | null = null;
  private markers: TxnMarkerWriter | null = null;
  private offsets: TxnOffsetsCompleter | null = null;
  private readonly closing = new AbortController();
  private readonly clock: Clock;
  private readonly completion: CompletionRunner;

  constructor(private readonly opts: TxnCoordinatorOptions) {
    this.clock = opts.clock ?? realClock();
    this.completion = new CompletionRunner(
      {
        get: (id) => this.state.txns.get(id),
        write: (next) => this.write(next),
        transitionTo: (m, state, change) => this.transitionTo(m, state, change),
        parts: () =>
          this.markers === null || this.offsets === null
            ? null
            : { markers: this.markers, offsets: this.offsets },
        logger: opts.logger,
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

  /**
   * The data plane's marker writer and the group coordinator's offsets completer. They
   * are attached rather than passed in so each side can land (and be faked in tests)
   * on its own; transactional ids are refused until both are here.
   */
  attach(parts: { markers?: TxnMarkerWriter; offsets?: TxnOffsetsCompleter }): void {
    if (parts.markers !== undefined) this.markers = parts.markers;
    if (parts.offsets !== undefined) this.offsets = parts.offsets;
    if (this.available) this.recover();
  }

  /** Replays `__transaction_state`, then completes decided transactions and starts the checks. */
  async load(): Promise<void> {
    const log = await InternalLog.open(
      this.opts.storage,
      TRANSACTION_STATE_PARTITION.topic,
      TRANSACTION_STATE_PARTITION.partition,
    );
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
    this.every(rt, TXN_TIMER_KEYS.abortTimedOut, this.opts.abortCheckIntervalMs ?? 10_000, (s) =>
      this.abortTimedOut(s, this.clock.now()),
    );
    this.every(
      rt,
      TXN_TIMER_KEYS.expireIds,
      this.opts.expiryCheckIntervalMs ?? 60 * 60 * 1000,
      (s) => this.expireIds(s, this.clock.now()),
    );
    if (this.available) this.recover();
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

  private transitionTo(
    m: TxnMetadata,
    state: TxnStateId,
    change: Partial<Omit<TxnMetadata, "transactionalId" | "state">> = {},
  ): TxnMetadata {
    return { ...m, ...change, state, lastUpdateMs: this.clock.now() };
  }

  // ---- InitProducerId ----

  /**
   * InitProducerId with a transactional id. `expected` is the KIP-360 producer id and
   * epoch (v3+), or null. Errors use PRODUCER_FENCED; the handler maps it for old versions.
   */
  initProducerId(
    transactionalId: string,
    timeoutMs: number,
    expected: { producerId: bigint; producerEpoch: number } | null,
  ): Promise<ProducerIdAndEpoch> {
    const fail = (errorCode: number): ProducerIdAndEpoch => ({
      errorCode,
      producerId: -1n,
      producerEpoch: -1,
    });
    if (!this.loaded) return Promise.resolve(fail(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS));
    if (timeoutMs <= 0 || timeoutMs > this.opts.maxTimeoutMs) {
      return Promise.resolve(fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT));
    }
    return this.run(async (s): Promise<TxnResult<ProducerIdAndEpoch>> => {
      const cur = s.txns.get(transactionalId);
      const write = (next: TxnMetadata, response: ProducerIdAndEpoch) => ({
        records: [transitionRecord(cur, next)],
        response,
        failed: fail,
      });
      if (cur === undefined) {
        const producerId = await this.opts.allocateProducerId();
        return write(
          {
            transactionalId,
            producerId,
            previousProducerId: -1n,
            producerEpoch: 0,
            lastProducerEpoch: -1,
            timeoutMs,
            state: TxnState.EMPTY,
            partitions: new Map(),
            groups: new Set(),
            lastUpdateMs: this.clock.now(),
            startMs: -1,
          },
          { errorCode: NONE, producerId, producerEpoch: 0 },
        );
      }
      if (expected !== null) {
        const matchesCurrent =
          expected.producerId === cur.producerId && expected.producerEpoch === cur.producerEpoch;
        // A retry of a bump whose answer the producer never saw: hand out the same again.
        const isRetry =
          (expected.producerId === cur.producerId ||
            expected.producerId === cur.previousProducerId) &&
          cur.lastProducerEpoch >= 0 &&
          expected.producerEpoch === cur.lastProducerEpoch;
        if (isRetry && !isPrepare(cur.state) && cur.state !== TxnState.ONGOING) {
          return answer({
            errorCode: NONE,
            producerId: cur.producerId,
            producerEpoch: cur.producerEpoch,
          });
        }
        if (!matchesCurrent) return answer(fail(ErrorCode.PRODUCER_FENCED));
      }
      switch (cur.state) {
        case TxnState.ONGOING:
          // Fence the zombie (its epoch is now stale), abort its transaction; the new
          // producer retries and gets the next epoch once the abort is complete.
          return {
            ...this.fenceAndAbort(cur),
            response: fail(ErrorCode.CONCURRENT_TRANSACTIONS),
            failed: fail,
          };
        case TxnState.EMPTY:
        case TxnState.COMPLETE_COMMIT:
        case TxnState.COMPLETE_ABORT: {
          const exhausted = cur.producerEpoch >= MAX_PRODUCER_EPOCH;
          const producerId = exhausted ? await this.opts.allocateProducerId() : cur.producerId;
          const producerEpoch = exhausted ? 0 : cur.producerEpoch + 1;
          return write(
            this.transitionTo(cur, TxnState.EMPTY, {
              producerId,
              previousProducerId: exhausted ? cur.producerId : cur.previousProducerId,
              producerEpoch,
              // Only a bump the producer asked for by its id and epoch can be retried
              // (a producer starting afresh sends none), as Kafka's lastProducerEpoch.
              lastProducerEpoch: expected === null ? -1 : cur.producerEpoch,
              timeoutMs,
              partitions: new Map(),
              groups: new Set(),
              startMs: -1,
            }),
            { errorCode: NONE, producerId, producerEpoch },
          );
        }
        default:
          // PrepareCommit/PrepareAbort/PrepareEpochFence complete on their own; Dead is
          // never written by this coordinator. Either way: ask again later.
          return answer(fail(ErrorCode.CONCURRENT_TRANSACTIONS));
      }
    });
  }

  /**
   * Ongoing -> PrepareEpochFence (epoch + 1, so the old producer is fenced) ->
   * PrepareAbort in one batch; once stored, the abort completes in the background.
   */
  private fenceAndAbort(cur: TxnMetadata): Omit<TxnResult<undefined>, "failed"> {
    // At the last epoch there is nothing left to bump to; the abort still happens.
    const producerEpoch =
      cur.producerEpoch < MAX_PRODUCER_EPOCH ? cur.producerEpoch + 1 : cur.producerEpoch;
    // The fenced producer must not pass off its epoch as a retry of an earlier bump.
    const fenced = this.transitionTo(cur, TxnState.PREPARE_EPOCH_FENCE, {
      producerEpoch,
      lastProducerEpoch: -1,
    });
    const aborting = this.transitionTo(fenced, TxnState.PREPARE_ABORT);
    return {
      records: [transitionRecord(cur, fenced), transitionRecord(fenced, aborting)],
      response: undefined,
      appended: () => void this.completion.drive(cur.transactionalId),
    };
  }

  // ---- AddPartitionsToTxn / AddOffsetsToTxn ----

  /** Kafka's checks shared by the transactional requests, in Kafka's order. */
  private checkProducer(p: TxnProducer): { errorCode: number; cur?: TxnMetadata } {
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
    return this.run((s): TxnResult<number> => {
      const cur = s.txns.get(p.transactionalId);
      if (cur === undefined || cur.producerEpoch !== p.producerEpoch) {
        return answer(ErrorCode.PRODUCER_FENCED);
      }
      if (
        cur.state !== TxnState.ONGOING &&
        cur.state !== TxnState.EMPTY &&
        cur.state !== TxnState.COMPLETE_COMMIT &&
        cur.state !== TxnState.COMPLETE_ABORT
      ) {
        return answer(ErrorCode.CONCURRENT_TRANSACTIONS);
      }
      const ongoing = cur.state === TxnState.ONGOING;
      const nextPartitions = new Map(ongoing ? cur.partitions : []);
      for (const tp of partitions) nextPartitions.set(tpKey(tp), tp);
      const nextGroups = new Set(ongoing ? cur.groups : []);
      for (const g of groups) nextGroups.add(g);
      if (
        ongoing &&
        nextPartitions.size === cur.partitions.size &&
        nextGroups.size === cur.groups.size
      ) {
        return answer(NONE); // all there already: nothing to write
      }
      const next = this.transitionTo(cur, TxnState.ONGOING, {
        partitions: nextPartitions,
        groups: nextGroups,
        startMs: ongoing ? cur.startMs : this.clock.now(),
      });
      return { records: [transitionRecord(cur, next)], response: NONE, failed: (code) => code };
    });
  }

  addPartitions(p: TxnProducer, partitions: readonly TopicPartitionRef[]): Promise<number> {
    return this.add(p, partitions, []);
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

  // ---- Produce ----

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

  // ---- EndTxn ----

  /**
   * EndTxn. Ongoing -> PrepareCommit/PrepareAbort, then the completion is awaited once
   * (markers, offsets, Complete*); if that attempt fails the decision stands, NONE is
   * answered and the completion is retried in the background. A retry of a completed
   * EndTxn with the same outcome is NONE, as in Kafka.
   */
  async endTxn(p: TxnProducer, commit: boolean): Promise<number> {
    const checked = this.checkProducer(p);
    if (checked.cur === undefined) return checked.errorCode;
    const DECIDED = -1;
    const decided = await this.run((s): TxnResult<number> => {
      const cur = s.txns.get(p.transactionalId);
      if (cur === undefined || cur.producerEpoch !== p.producerEpoch) {
        return answer(ErrorCode.PRODUCER_FENCED);
      }
      switch (cur.state) {
        case TxnState.ONGOING: {
          const next = this.transitionTo(
            cur,
            commit ? TxnState.PREPARE_COMMIT : TxnState.PREPARE_ABORT,
          );
          // Decided here: completed below, once stored.
          return { records: [transitionRecord(cur, next)], response: DECIDED, failed: (c) => c };
        }
        case TxnState.COMPLETE_COMMIT:
          return answer(commit ? NONE : ErrorCode.INVALID_TXN_STATE);
        case TxnState.COMPLETE_ABORT:
          return answer(commit ? ErrorCode.INVALID_TXN_STATE : NONE);
        case TxnState.PREPARE_COMMIT:
          return answer(commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE);
        case TxnState.PREPARE_ABORT:
          return answer(commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS);
        case TxnState.PREPARE_EPOCH_FENCE:
          return answer(ErrorCode.CONCURRENT_TRANSACTIONS);
        default:
          return answer(ErrorCode.INVALID_TXN_STATE); // Empty (nothing begun) or Dead
      }
    });
    if (decided !== DECIDED) return decided;
    await this.completion.drive(p.transactionalId);
    return NONE;
  }

  // ---- completion of decided transactions ----

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

  // ---- expiry ----

  /**
   * Forgets transactional ids with no open transaction (Empty, CompleteCommit,
   * CompleteAbort) whose last update is older than transactional.id.expiration.ms: they
   * pass through Dead (checked against the table) and a tombstone removes them from
   * `__transaction_state`, so replay and compaction forget them too. Returns the ids.
   */
  expireTransactionalIds(now = this.clock.now()): Promise<string[]> {
    if (!this.available) return Promise.resolve([]);
    return this.run((s) => this.expireIds(s, now));
  }

  private expireIds(s: TxnShardState, now: number): TxnResult<string[]> {
    if (!this.available) return answer([]);
    const ttl = this.opts.expirationMs ?? DEFAULT_TXN_ID_EXPIRATION_MS;
    const expired = [...s.txns.values()].filter(
      (m) =>
        (m.state === TxnState.EMPTY ||
          m.state === TxnState.COMPLETE_COMMIT ||
          m.state === TxnState.COMPLETE_ABORT) &&
        m.lastUpdateMs + ttl < now,
    );
    return {
      records: expired.map(tombstoneRecord),
      response: expired.map((m) => m.transactionalId),
      appended: () => {
        if (expired.length === 0) return;
        this.opts.logger.info("expired transactional ids", { count: expired.length });
      },
    };
  }

  // ---- timeouts ----

  /**
   * Aborts every Ongoing transaction open longer than its timeout, bumping the epoch
   * so the producer that left it is fenced (Kafka's abortTimedOutTransactions).
   * Returns the ids aborted.
   */
  abortTimedOutTransactions(now = this.clock.now()): Promise<string[]> {
    if (!this.available) return Promise.resolve([]);
    return this.run((s) => this.abortTimedOut(s, now));
  }

  private abortTimedOut(s: TxnShardState, now: number): TxnResult<string[]> {
    if (!this.available) return answer([]);
    const due = [...s.txns.values()].filter(
      (m) => m.state === TxnState.ONGOING && m.startMs >= 0 && m.startMs + m.timeoutMs < now,
    );
    const aborts = due.map((m) => {
      this.opts.logger.info("aborting a timed-out transaction", {
        transactionalId: m.transactionalId,
        producerId: String(m.producerId),
        timeoutMs: m.timeoutMs,
      });
      return this.fenceAndAbort(m);
    });
    return {
      records: aborts.flatMap((a) => a.records),
      response: due.map((m) => m.transactionalId),
      appended: () => {
        for (const a of aborts) a.appended?.();
      },
    };
  }
}
