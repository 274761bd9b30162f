import type { Clock, TimerHandle } from "./clock.js";

/**
 * A clock that moves only when told to: timers fire inside `advance`, in due order, so
 * tests of time-driven behaviour (flush.ms, checkpoints, timeouts) are deterministic.
 */
export class ManualClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(private t = 1_000_000) {}

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

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.t + ms;
    for (let due = this.takeDue(target); due !== null; due = this.takeDue(target)) due();
    this.t = target;
  }

  /**
   * As `advance`, for asynchronous work: `settle` runs before the first timer and after
   * each one, so what a timer queued is done before the next timer fires.
   */
  async advanceSettling(ms: number, settle: () => Promise<void>): Promise<void> {
    const target = this.t + ms;
    await settle();
    for (let due = this.takeDue(target); due !== null; due = this.takeDue(target)) {
      due();
      await settle();
    }
    this.t = target;
  }

  /** Removes the earliest timer due by `target` and moves time to it; null when none. */
  private takeDue(target: number): (() => void) | null {
    let dueId = -1;
    let dueAt = Number.POSITIVE_INFINITY;
    for (const [id, timer] of this.timers) {
      if (timer.at <= target && timer.at < dueAt) {
        dueId = id;
        dueAt = timer.at;
      }
    }
    const due = this.timers.get(dueId);
    if (due === undefined) return null;
    this.timers.delete(dueId);
    this.t = dueAt;
    return due.fn;
  }
}
