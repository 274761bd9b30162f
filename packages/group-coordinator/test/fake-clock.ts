import { ManualClock } from "@logbook/storage";

/**
 * The storage package's ManualClock, advanced asynchronously: work the coordinator
 * queues (set `settle` to wait for it) finishes before the next timer fires.
 */
export class FakeClock extends ManualClock {
  settle: () => Promise<void> = async () => {};

  override async advance(ms: number): Promise<void> {
    await this.advanceSettling(ms, () => this.settle());
  }
}
