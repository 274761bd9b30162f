/**
 * What a coordinator operation hands back (Kafka's CoordinatorResult): the records to
 * append and the response to release once they are durable and replayed.
 */
export interface CoordinatorResult<Rec, R> {
  readonly records: readonly Rec[];
  readonly response: R;
  /**
   * Live (non-durable) follow-up once the records are appended and replayed, before the
   * response is released and before the next operation starts: answering waiters,
   * moving a state machine on, closing files the records made obsolete.
   */
  readonly appended?: () => void | Promise<void>;
  /**
   * The response when the append failed, given COORDINATOR_NOT_AVAILABLE; it may also
   * undo live changes. Without it the operation rejects with CoordinatorNotAvailableError.
   */
  readonly failed?: (errorCode: number) => R;
}

/** A response released later (a JoinGroup waiting for its rebalance); kept off the queue. */
export interface Deferred<T> {
  readonly wait: Promise<T>;
}

/** A result that writes nothing. */
export function answer<R>(response: R): CoordinatorResult<never, R> {
  return { records: [], response };
}

/** A deferred response that is already known. */
export function settled<T>(value: T): Deferred<T> {
  return { wait: Promise.resolve(value) };
}
