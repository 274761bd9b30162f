import type { ClientSession } from "../server/client-session.js";

/** A place in a partition's line of appends: wait for `ready`, append, then `release`. */
export interface AppendTurn {
  /** null when nothing of this connection is ahead for the partition. */
  readonly ready: Promise<void> | null;
  /** Lets the next in line append; calling it again does nothing. */
  release(): void;
}

/**
 * Appends of one connection reach each partition in the order its Produce requests
 * arrived. Kafka handles a connection's requests one at a time, so pipelined requests
 * (max.in.flight > 1) land in order; Logbook handles them concurrently, and a request
 * whose batch takes longer to validate (a larger compressed batch) could otherwise be
 * overtaken by the next one, and the log would hold them out of order. Turns are taken
 * synchronously when the handler starts (in arrival order) and released as soon as the
 * append is queued, so the log still writes queued appends together.
 */
class ConnectionAppendOrder {
  /** Per partition, settled once the last turn taken has been released. */
  private readonly tails = new Map<string, Promise<void>>();

  take(topic: string, partition: number): AppendTurn {
    const key = `${topic}\u0000${partition}`;
    const ahead = this.tails.get(key) ?? null;
    let release = (): void => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = ahead === null ? mine : ahead.then(() => mine);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return { ready: ahead, release };
  }
}

const orders = new WeakMap<ClientSession, ConnectionAppendOrder>();

/** Takes this connection's next turn to append to the partition. */
export function takeAppendTurn(
  session: ClientSession,
  topic: string,
  partition: number,
): AppendTurn {
  let order = orders.get(session);
  if (order === undefined) {
    order = new ConnectionAppendOrder();
    orders.set(session, order);
  }
  return order.take(topic, partition);
}
