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
 *
 * Each partition with a turn taken has a line: its first turn may go at once, every
 * other waits until all turns ahead of it are released. The usual case, nobody ahead,
 * makes no promise at all (a produce to 100 partitions takes 100 turns).
 */
class ConnectionAppendOrder {
  /** Per topic, per partition: the turns taken and not yet passed, the first one current. */
  private readonly lines = new Map<string, Map<number, Turn[]>>();

  take(topic: string, partition: number): AppendTurn {
    let byPartition = this.lines.get(topic);
    if (byPartition === undefined) {
      byPartition = new Map();
      this.lines.set(topic, byPartition);
    }
    const line = byPartition.get(partition);
    if (line === undefined) {
      const turn = new Turn(this, topic, partition, false);
      byPartition.set(partition, [turn]);
      return turn;
    }
    const turn = new Turn(this, topic, partition, true);
    line.push(turn);
    return turn;
  }

  /** A turn was released: the released ones at the front leave, the next one goes. */
  passed(topic: string, partition: number): void {
    const byPartition = this.lines.get(topic);
    const line = byPartition?.get(partition);
    if (byPartition === undefined || line === undefined) return;
    let gone = 0;
    while (gone < line.length && (line[gone] as Turn).released) gone++;
    if (gone === 0) return;
    line.splice(0, gone);
    const next = line[0];
    if (next !== undefined) {
      next.go();
      return;
    }
    byPartition.delete(partition);
    if (byPartition.size === 0) this.lines.delete(topic);
  }
}

class Turn implements AppendTurn {
  readonly ready: Promise<void> | null;
  released = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly order: ConnectionAppendOrder,
    private readonly topic: string,
    private readonly partition: number,
    waits: boolean,
  ) {
    this.ready = waits
      ? new Promise<void>((resolve) => {
          this.wake = resolve;
        })
      : null;
  }

  /** Every turn ahead is released. */
  go(): void {
    this.wake?.();
    this.wake = null;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.order.passed(this.topic, this.partition);
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
