import { ErrorCode } from "@logbook/protocol";
import {
  InternalLog,
  type KeyValueRecord,
  type Logger,
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
import { decodeTxnRecord, encodeTxnRecord, type TxnMetadata } from "./records.js";
import { assertTransition, isPrepare, TxnState, type TxnStateId } from "./state.js";

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
  now?: () => number;
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

/**
 * Kafka's transaction coordinator for a single node (KIP-98, transaction version 1):
 * one TxnMetadata per transactional id, persisted in `__transaction_state` and changed
 * only by appending a record and applying it (the apply used by replay at start-up).
 * Every write is checked against the transition table first. One operation per id
 * runs at a time; another arriving meanwhile gets CONCURRENT_TRANSACTIONS, as in Kafka.
 *
 * EndTxn decides the outcome (PrepareCommit/PrepareAbort), then writes the markers
 * through the data plane, completes the groups' pending offsets and records
 * CompleteCommit/CompleteAbort. Failed marker writes are retried in the background;
 * a decided transaction found at start-up is completed the same way (markers are
 * idempotent for the data plane).
 */
export class TransactionCoordinator implements TxnProduceCheck {
  private log: InternalLog | null = null;
  private readonly txns = new Map<string, TxnMetadata>();
  private readonly byProducerId = new Map<bigint, string>();
  private readonly busy = new Set<string>();
  private markers: TxnMarkerWriter | null = null;
  private offsets: TxnOffsetsCompleter | null = null;
  private readonly closing = new AbortController();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly now: () => number;

  private readonly completion: CompletionRunner;

  constructor(private readonly opts: TxnCoordinatorOptions) {
    this.now = opts.now ?? Date.now;
    this.completion = new CompletionRunner(
      {
        get: (id) => this.txns.get(id),
        write: (next) => this.write(next),
        transitionTo: (m, state, change) => this.transitionTo(m, state, change),
        parts: () =>
          this.markers === null || this.offsets === null
            ? null
            : { markers: this.markers, offsets: this.offsets },
        logger: opts.logger,
      },
      opts.markerRetryMs ?? 1000,
      this.closing.signal,
    );
  }

  /** True once the state is replayed and both the marker writer and the offsets completer are attached. */
  get available(): boolean {
    return this.log !== null && this.markers !== null && this.offsets !== null;
  }

  get loaded(): boolean {
    return this.log !== null;
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

  /** Replays `__transaction_state`, then completes decided transactions and starts the timeout check. */
  async load(): Promise<void> {
    const log = await InternalLog.open(
      this.opts.storage,
      TRANSACTION_STATE_PARTITION.topic,
      TRANSACTION_STATE_PARTITION.partition,
    );
    const count = await log.replay((r) => this.apply(r));
    this.log = log;
    this.opts.logger.info("transaction state loaded", { records: count, ids: this.txns.size });
    this.every(this.opts.abortCheckIntervalMs ?? 10_000, "timeout", () =>
      this.abortTimedOutTransactions(),
    );
    this.every(this.opts.expiryCheckIntervalMs ?? 60 * 60 * 1000, "expiry", () =>
      this.expireTransactionalIds(),
    );
    if (this.available) this.recover();
  }

  /** Runs a periodic check (not keeping the process alive); 0 ms = never. */
  private every(ms: number, what: string, check: () => Promise<unknown>): void {
    if (ms <= 0) return;
    const timer = setInterval(() => {
      check().catch((err: unknown) => {
        this.opts.logger.warn(`transaction ${what} check failed`, { error: String(err) });
      });
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  /** Stops the timers and background completions (they resume after the next start). */
  async close(): Promise<void> {
    this.closing.abort();
    for (const t of this.timers.splice(0)) clearInterval(t);
    await this.completion.settled();
  }

  get(transactionalId: string): TxnMetadata | undefined {
    return this.txns.get(transactionalId);
  }

  all(): IterableIterator<TxnMetadata> {
    return this.txns.values();
  }

  list(filter: TxnListFilter): TxnList {
    return listTransactions(this.txns.values(), filter, this.now());
  }

  /** Resolves when no background completion is running (tests, shutdown). */
  async idle(): Promise<void> {
    await this.completion.settled();
  }

  // ---- state changes: append a record, then apply it ----

  /** Installs one record; the only place state changes (live writes and replay alike). */
  private apply(record: KeyValueRecord): void {
    const decoded = decodeTxnRecord(record);
    if (decoded.kind !== "txn") return;
    const { transactionalId, metadata } = decoded;
    const before = this.txns.get(transactionalId);
    if (before !== undefined && this.byProducerId.get(before.producerId) === transactionalId) {
      this.byProducerId.delete(before.producerId);
    }
    if (metadata === null) {
      this.txns.delete(transactionalId);
      return;
    }
    this.txns.set(transactionalId, metadata);
    this.byProducerId.set(metadata.producerId, transactionalId);
  }

  private async write(next: TxnMetadata): Promise<void> {
    const log = this.log;
    if (log === null) throw new Error("transaction state is not loaded");
    const current = this.txns.get(next.transactionalId);
    // A new id starts Empty; anything else follows the table.
    if (current === undefined) {
      if (next.state !== TxnState.EMPTY) assertTransition(TxnState.DEAD, next.state);
    } else {
      assertTransition(current.state, next.state);
    }
    const record = encodeTxnRecord(next);
    await log.append([record], next.lastUpdateMs);
    this.apply(record);
  }

  /** Runs `op` as the only operation on the id, or answers CONCURRENT_TRANSACTIONS. */
  private async exclusive<T>(id: string, busyAnswer: T, op: () => Promise<T>): Promise<T> {
    if (this.busy.has(id)) return busyAnswer;
    this.busy.add(id);
    try {
      return await op();
    } finally {
      this.busy.delete(id);
    }
  }

  private transitionTo(
    m: TxnMetadata,
    state: TxnStateId,
    change: Partial<Omit<TxnMetadata, "transactionalId" | "state">> = {},
  ): TxnMetadata {
    return { ...m, ...change, state, lastUpdateMs: this.now() };
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
    return this.exclusive(transactionalId, fail(ErrorCode.CONCURRENT_TRANSACTIONS), async () => {
      const cur = this.txns.get(transactionalId);
      const now = this.now();
      if (cur === undefined) {
        const producerId = await this.opts.allocateProducerId();
        await this.write({
          transactionalId,
          producerId,
          previousProducerId: -1n,
          producerEpoch: 0,
          lastProducerEpoch: -1,
          timeoutMs,
          state: TxnState.EMPTY,
          partitions: new Map(),
          groups: new Set(),
          lastUpdateMs: now,
          startMs: -1,
        });
        return { errorCode: NONE, producerId, producerEpoch: 0 };
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
          return { errorCode: NONE, producerId: cur.producerId, producerEpoch: cur.producerEpoch };
        }
        if (!matchesCurrent) return fail(ErrorCode.PRODUCER_FENCED);
      }
      switch (cur.state) {
        case TxnState.ONGOING:
          // Fence the zombie (its epoch is now stale), abort its transaction; the new
          // producer retries and gets the next epoch once the abort is complete.
          await this.fenceAndAbort(cur);
          return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
        case TxnState.EMPTY:
        case TxnState.COMPLETE_COMMIT:
        case TxnState.COMPLETE_ABORT: {
          const exhausted = cur.producerEpoch >= MAX_PRODUCER_EPOCH;
          const producerId = exhausted ? await this.opts.allocateProducerId() : cur.producerId;
          const producerEpoch = exhausted ? 0 : cur.producerEpoch + 1;
          await this.write(
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
          );
          return { errorCode: NONE, producerId, producerEpoch };
        }
        default:
          // PrepareCommit/PrepareAbort/PrepareEpochFence complete on their own; Dead is
          // never written by this coordinator. Either way: ask again later.
          return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
      }
    });
  }

  /**
   * Ongoing -> PrepareEpochFence (epoch + 1, so the old producer is fenced) ->
   * PrepareAbort, then completes the abort in the background. Caller holds the id.
   */
  private async fenceAndAbort(cur: TxnMetadata): Promise<void> {
    // At the last epoch there is nothing left to bump to; the abort still happens.
    const producerEpoch =
      cur.producerEpoch < MAX_PRODUCER_EPOCH ? cur.producerEpoch + 1 : cur.producerEpoch;
    // The fenced producer must not pass off its epoch as a retry of an earlier bump.
    const fenced = this.transitionTo(cur, TxnState.PREPARE_EPOCH_FENCE, {
      producerEpoch,
      lastProducerEpoch: -1,
    });
    await this.write(fenced);
    await this.write(this.transitionTo(fenced, TxnState.PREPARE_ABORT));
    void this.completion.drive(cur.transactionalId);
  }

  // ---- AddPartitionsToTxn / AddOffsetsToTxn ----

  /** Kafka's checks shared by the transactional requests, in Kafka's order. */
  private checkProducer(p: TxnProducer): { errorCode: number; cur?: TxnMetadata } {
    if (!this.loaded) return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS };
    const cur = this.txns.get(p.transactionalId);
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
    return this.exclusive(p.transactionalId, ErrorCode.CONCURRENT_TRANSACTIONS, async () => {
      const cur = this.txns.get(p.transactionalId);
      if (cur === undefined || cur.producerEpoch !== p.producerEpoch) {
        return ErrorCode.PRODUCER_FENCED;
      }
      if (
        cur.state !== TxnState.ONGOING &&
        cur.state !== TxnState.EMPTY &&
        cur.state !== TxnState.COMPLETE_COMMIT &&
        cur.state !== TxnState.COMPLETE_ABORT
      ) {
        return ErrorCode.CONCURRENT_TRANSACTIONS;
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
        return NONE; // all there already: nothing to write
      }
      await this.write(
        this.transitionTo(cur, TxnState.ONGOING, {
          partitions: nextPartitions,
          groups: nextGroups,
          startMs: ongoing ? cur.startMs : this.now(),
        }),
      );
      return NONE;
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
    const id = this.byProducerId.get(producerId);
    const cur = id === undefined ? undefined : this.txns.get(id);
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
    const decided = await this.exclusive(
      p.transactionalId,
      ErrorCode.CONCURRENT_TRANSACTIONS,
      async () => {
        const cur = this.txns.get(p.transactionalId);
        if (cur === undefined || cur.producerEpoch !== p.producerEpoch) {
          return ErrorCode.PRODUCER_FENCED;
        }
        switch (cur.state) {
          case TxnState.ONGOING:
            await this.write(
              this.transitionTo(cur, commit ? TxnState.PREPARE_COMMIT : TxnState.PREPARE_ABORT),
            );
            return -1; // decided here: complete below
          case TxnState.COMPLETE_COMMIT:
            return commit ? NONE : ErrorCode.INVALID_TXN_STATE;
          case TxnState.COMPLETE_ABORT:
            return commit ? ErrorCode.INVALID_TXN_STATE : NONE;
          case TxnState.PREPARE_COMMIT:
            return commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE;
          case TxnState.PREPARE_ABORT:
            return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS;
          case TxnState.PREPARE_EPOCH_FENCE:
            return ErrorCode.CONCURRENT_TRANSACTIONS;
          default:
            return ErrorCode.INVALID_TXN_STATE; // Empty (nothing begun) or Dead
        }
      },
    );
    if (decided !== -1) return decided;
    await this.completion.drive(p.transactionalId);
    return NONE;
  }

  // ---- completion of decided transactions ----

  /** Completes every decided transaction (after start-up, once the writers are attached). */
  private recover(): void {
    for (const m of this.txns.values()) {
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
  async expireTransactionalIds(now = this.now()): Promise<string[]> {
    const log = this.log;
    if (log === null || !this.available) return [];
    const ttl = this.opts.expirationMs ?? DEFAULT_TXN_ID_EXPIRATION_MS;
    const idle = (m: TxnMetadata): boolean =>
      (m.state === TxnState.EMPTY ||
        m.state === TxnState.COMPLETE_COMMIT ||
        m.state === TxnState.COMPLETE_ABORT) &&
      m.lastUpdateMs + ttl < now;
    const expired: string[] = [];
    for (const m of [...this.txns.values()].filter(idle)) {
      const done = await this.exclusive(m.transactionalId, false, async () => {
        const cur = this.txns.get(m.transactionalId);
        if (cur === undefined || !idle(cur)) return false;
        assertTransition(cur.state, TxnState.DEAD);
        const tombstone = { key: encodeTxnRecord(cur).key, value: null };
        await log.append([tombstone], now);
        this.apply(tombstone);
        return true;
      });
      if (done) expired.push(m.transactionalId);
    }
    if (expired.length > 0)
      this.opts.logger.info("expired transactional ids", { count: expired.length });
    return expired;
  }

  // ---- timeouts ----

  /**
   * Aborts every Ongoing transaction open longer than its timeout, bumping the epoch
   * so the producer that left it is fenced (Kafka's abortTimedOutTransactions).
   * Returns the ids aborted.
   */
  async abortTimedOutTransactions(now = this.now()): Promise<string[]> {
    if (!this.available) return [];
    const due = [...this.txns.values()].filter(
      (m) => m.state === TxnState.ONGOING && m.startMs >= 0 && m.startMs + m.timeoutMs < now,
    );
    const aborted: string[] = [];
    for (const m of due) {
      const done = await this.exclusive(m.transactionalId, false, async () => {
        const cur = this.txns.get(m.transactionalId);
        // Re-checked: the producer may have ended it meanwhile.
        if (cur === undefined || cur.state !== TxnState.ONGOING || cur.startMs !== m.startMs) {
          return false;
        }
        this.opts.logger.info("aborting a timed-out transaction", {
          transactionalId: cur.transactionalId,
          producerId: String(cur.producerId),
          timeoutMs: cur.timeoutMs,
        });
        await this.fenceAndAbort(cur);
        return true;
      });
      if (done) aborted.push(m.transactionalId);
    }
    return aborted;
  }
}
