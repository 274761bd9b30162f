import type { Clock, TimerHandle } from "@logbook/storage";

/** Timers that fire only when a test advances time; work they queue settles in between. */
export class FakeClock implements Clock {
  private t = 1_000_000;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  settle: () => Promise<void> = async () => {};

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }

  /** Moves time forward, firing due timers in order and settling after each. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    await this.settle();
    for (;;) {
      let dueId = -1;
      let dueAt = Number.POSITIVE_INFINITY;
      for (const [id, timer] of this.timers) {
        if (timer.at <= target && timer.at < dueAt) {
          dueId = id;
          dueAt = timer.at;
        }
      }
      const due = this.timers.get(dueId);
      if (due === undefined) break;
      this.timers.delete(dueId);
      this.t = dueAt;
      due.fn();
      await this.settle();
    }
    this.t = target;
  }
}
