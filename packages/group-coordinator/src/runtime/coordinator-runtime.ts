import { ErrorCode } from "@logbook/protocol";
import type { Clock, Logger, TimerHandle } from "@logbook/storage";
import {
  CoordinatorClosedError,
  CoordinatorNotAvailableError,
  ShardLogConflictError,
} from "./coordinator-errors.js";
import type { CoordinatorResult } from "./coordinator-result.js";

/** Where a shard's records go: durable on `append` (all or nothing), in order on `replay`. */
export interface ShardLog<Rec> {
  append(records: readonly Rec[]): Promise<void>;
  replay(visit: (record: Rec) => void): Promise<void>;
  /**
   * A log other brokers append to as well (one database behind several brokers): the
   * records they appended since this broker last replayed or appended. Such a log
   * refuses an append with ShardLogConflictError when it is behind.
   */
  catchUp?(visit: (record: Rec) => void): Promise<void>;
  /** Calls `listener` when another broker appended, so the state follows unasked. */
  onRemoteAppend?(listener: () => void): () => void;
}

/** Attempts of one operation against a shared log that keeps moving under it. */
const CONFLICT_ATTEMPTS = 10;

/** A step of the state machine: reads the state, returns records and a response. */
export type CoordinatorOperation<S, Rec, R> = (
  state: S,
) => CoordinatorResult<Rec, R> | Promise<CoordinatorResult<Rec, R>>;

export interface CoordinatorRuntimeOptions<S, Rec> {
  /** Names the shard in logs and errors, e.g. "__consumer_offsets-0". */
  name: string;
  /** The empty state that replay fills. */
  state: S;
  log: ShardLog<Rec>;
  /** The only way the durable state changes: at load and after every append alike. */
  replay: (state: S, record: Rec) => void;
  clock: Clock;
  logger: Logger;
}

/**
 * Runs one coordinator shard (one state machine over one log, as Kafka's
 * CoordinatorRuntime runs one per `__consumer_offsets` partition; today each
 * coordinator has a single shard).
 *
 * Concurrency contract:
 * - Operations run one at a time, in submission order, on a serial queue. An operation
 *   reads and may change live (non-durable) state freely; it changes durable state only
 *   through the records it returns.
 * - Records are appended to the log first, then replayed into the state with the same
 *   function start-up uses, then `appended` runs, and only then is the response
 *   released. A failed append replays nothing: the operation answers `failed(
 *   COORDINATOR_NOT_AVAILABLE)`, or rejects with CoordinatorNotAvailableError.
 * - An operation that throws rejects its caller; the queue goes on.
 * - Timers are keyed: scheduling a key replaces its timer, and a timer that fired but
 *   whose operation has not started yet is skipped if its key was rescheduled or
 *   cancelled meanwhile. Timer operations run on the queue like any other; their
 *   failures are logged.
 * - `close` cancels every timer, lets queued operations finish, runs a last operation
 *   (to answer deferred responses), and refuses later submissions with
 *   CoordinatorClosedError.
 */
export class CoordinatorRuntime<S, Rec> {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly timers = new Map<string, TimerHandle>();
  private closing = false;

  private constructor(
    private readonly options: CoordinatorRuntimeOptions<S, Rec>,
    private readonly logger: Logger,
  ) {}

  /** Replays the whole log into `options.state`, then accepts operations. */
  static async load<S, Rec>(
    options: CoordinatorRuntimeOptions<S, Rec>,
  ): Promise<CoordinatorRuntime<S, Rec>> {
    await options.log.replay((r) => options.replay(options.state, r));
    const runtime = new CoordinatorRuntime(options, options.logger.child({ shard: options.name }));
    runtime.stopFollowing =
      options.log.onRemoteAppend?.(() =>
        runtime.runLater("following the shared log", () => ({ records: [], response: undefined })),
      ) ?? null;
    return runtime;
  }

  private stopFollowing: (() => void) | null = null;

  /** The shard's state, for reads between operations (start-up, diagnostics). */
  get state(): S {
    return this.options.state;
  }

  get clock(): Clock {
    return this.options.clock;
  }

  get closed(): boolean {
    return this.closing;
  }

  /** Queues an operation; resolves with its response once its records are durable. */
  run<R>(op: CoordinatorOperation<S, Rec, R>): Promise<R> {
    if (this.closing) return Promise.reject(new CoordinatorClosedError(this.options.name));
    return this.enqueue(op);
  }

  /**
   * Queues a follow-up that nobody awaits (e.g. completing a rebalance after the
   * request that made it possible is answered). Failures are logged; nothing is queued
   * once closing.
   */
  runLater(what: string, op: CoordinatorOperation<S, Rec, unknown>): void {
    if (this.closing) return;
    this.enqueue(op).catch((err: unknown) => this.logFailure(what, err));
  }

  /** Runs `op` on the queue after `delayMs`, replacing any timer of the same key. */
  schedule(key: string, delayMs: number, op: CoordinatorOperation<S, Rec, unknown>): void {
    this.cancel(key);
    if (this.closing) return;
    const handle = this.options.clock.setTimeout(() => {
      this.enqueue((state) => {
        // Rescheduled or cancelled after firing: this firing is stale.
        if (this.timers.get(key) !== handle) return { records: [], response: undefined };
        this.timers.delete(key);
        return op(state);
      }).catch((err: unknown) => this.logFailure(`timer ${key}`, err));
    }, delayMs);
    this.timers.set(key, handle);
  }

  cancel(key: string): void {
    const handle = this.timers.get(key);
    if (handle === undefined) return;
    this.options.clock.clearTimeout(handle);
    this.timers.delete(key);
  }

  isScheduled(key: string): boolean {
    return this.timers.has(key);
  }

  /** Resolves once the queue is empty (including work queued by the work it ran). */
  async idle(): Promise<void> {
    for (;;) {
      const tail = this.tail;
      await tail;
      if (tail === this.tail) return;
    }
  }

  /** Cancels the timers, finishes the queue, then runs `last` (answering what still waits). */
  async close(last?: (state: S) => void): Promise<void> {
    if (this.closing) return this.idle();
    this.closing = true;
    this.stopFollowing?.();
    for (const handle of this.timers.values()) this.options.clock.clearTimeout(handle);
    this.timers.clear();
    await this.enqueue((state) => {
      last?.(state);
      return { records: [], response: undefined };
    });
    await this.idle();
  }

  private enqueue<R>(op: CoordinatorOperation<S, Rec, R>): Promise<R> {
    const next = this.tail.then(() => this.execute(op));
    this.tail = next.catch(() => {});
    return next;
  }

  /**
   * On a shared log the state first catches up with other brokers' records, and an
   * append that lost the race is decided again on the newer state (so an operation must
   * change only durable state, through its records, for a retry to be safe).
   */
  private async execute<R>(op: CoordinatorOperation<S, Rec, R>): Promise<R> {
    const { log, state, replay } = this.options;
    for (let attempt = 1; ; attempt++) {
      await log.catchUp?.((r) => replay(state, r));
      const result = await op(state);
      if (result.records.length > 0) {
        try {
          await log.append(result.records);
        } catch (err) {
          if (err instanceof ShardLogConflictError && attempt < CONFLICT_ATTEMPTS) continue;
          this.failed(err, result.records.length);
          if (result.failed !== undefined)
            return result.failed(ErrorCode.COORDINATOR_NOT_AVAILABLE);
          throw new CoordinatorNotAvailableError(this.options.name, err);
        }
        for (const r of result.records) replay(state, r);
      }
      await result.appended?.();
      return result.response;
    }
  }

  private failed(err: unknown, records: number): void {
    this.logger.warn(
      "coordinator log append failed; answering COORDINATOR_NOT_AVAILABLE",
      { records },
      err,
    );
  }

  private logFailure(what: string, err: unknown): void {
    this.logger.error(`${what} failed`, undefined, err);
  }
}
