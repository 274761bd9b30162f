import { ErrorCode } from "@logbook/protocol";

/**
 * The coordinator log could not take an operation's records. Clients are answered
 * COORDINATOR_NOT_AVAILABLE (they look the coordinator up again and retry), as Kafka's
 * coordinator services normalise a failed write.
 */
export class CoordinatorNotAvailableError extends Error {
  readonly errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;

  constructor(shard: string, cause: unknown) {
    super(`${shard}: the coordinator log did not take the records`, { cause });
    this.name = "CoordinatorNotAvailableError";
  }
}

/** An operation submitted after the runtime began closing. */
export class CoordinatorClosedError extends Error {
  readonly errorCode = ErrorCode.NOT_COORDINATOR;

  constructor(shard: string) {
    super(`${shard}: the coordinator is closing`);
    this.name = "CoordinatorClosedError";
  }
}

/** A shared log refused an append: another broker appended first (see ShardLog.catchUp). */
export class ShardLogConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ShardLogConflictError";
  }
}
