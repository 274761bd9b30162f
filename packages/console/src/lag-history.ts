/**
 * Total lag of each consumer group over time, sampled by the console while it runs, for
 * the lag chart: a bounded ring per group (the console keeps no state anywhere else).
 */
export interface LagSample {
  /** ms since the epoch. */
  readonly at: number;
  readonly lag: number;
}

export class LagHistory {
  private readonly byGroup = new Map<string, LagSample[]>();

  constructor(private readonly keep: number) {}

  add(group: string, sample: LagSample): void {
    const list = this.byGroup.get(group) ?? [];
    list.push(sample);
    if (list.length > this.keep) list.splice(0, list.length - this.keep);
    this.byGroup.set(group, list);
  }

  of(group: string): readonly LagSample[] {
    return this.byGroup.get(group) ?? [];
  }
}
