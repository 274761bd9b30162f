/**
 * The OpenMessaging-style step of `pnpm bench`: one topic of 100 partitions, 1 KiB
 * records, 4 producers and 4 consumers at a fixed rate (`loadgen omb`), and a search for
 * the highest rate a broker sustains: the rate doubles from a start while steps pass,
 * then bisects between the last rate that passed and the first that failed.
 */
import type { Sample } from "./cells.js";

export const OMB = {
  partitions: 100,
  size: 1024,
  producers: 4,
  consumers: 4,
  /** A step passes only with the end-to-end p99 under this. */
  maxP99Ms: 50,
  /** ... and the producers kept at least this share of the target rate. */
  minRateShare: 0.95,
  startRate: 10_000,
  maxRate: 2_000_000,
  minRate: 1_000,
} as const;

/** Why a step did not pass, or undefined when it did. */
export function stepFailure(s: Sample): string | undefined {
  if (typeof s.error === "string") return s.error;
  const p99 = Number(s.p99Ms);
  if (Number(s.failed) > 0) return `${s.failed} deliveries failed`;
  if (Number(s.received) < Number(s.produced)) return `received ${s.received} of ${s.produced}`;
  if (Number(s.achievedRate) < OMB.minRateShare * Number(s.targetRate))
    return `sent ${Math.round(Number(s.achievedRate))}/s`;
  if (!(p99 >= 0 && p99 < OMB.maxP99Ms)) return `p99 ${p99.toFixed(1)} ms`;
  return undefined;
}

/**
 * Runs steps until it knows the highest passing rate to within the last bisection.
 * The sample reports that rate (0 when even the lowest failed) and every step tried.
 */
export async function searchSustainedRate(
  step: (rate: number) => Promise<Sample>,
  bisections: number,
): Promise<Sample> {
  let lo = 0;
  let hi = Number.POSITIVE_INFINITY;
  let loP99 = Number.NaN;
  let errors = 0;
  const tried: string[] = [];
  const run = async (rate: number): Promise<boolean> => {
    const s = await step(rate);
    if (typeof s.error === "string") errors++;
    const why = stepFailure(s);
    const p99 = Number(s.p99Ms);
    tried.push(`${rate}: ${why === undefined ? `ok, p99 ${p99.toFixed(1)} ms` : why}`);
    if (why === undefined) {
      lo = rate;
      loP99 = p99;
    } else hi = rate;
    return why === undefined;
  };
  let rate: number = OMB.startRate;
  for (;;) {
    const ok = await run(rate);
    if (lo > 0 && Number.isFinite(hi)) break;
    rate = ok ? rate * 2 : rate / 2;
    if (rate > OMB.maxRate || rate < OMB.minRate) break;
  }
  for (let i = 0; i < bisections && lo > 0 && Number.isFinite(hi); i++) {
    const mid = Math.round((lo + hi) / 2 / 1000) * 1000;
    if (mid <= lo || mid >= hi) break;
    await run(mid);
  }
  const steps = tried.join("; ");
  // A server that answered no step at all failed; it did not sustain 0 records/s.
  if (lo === 0 && errors === tried.length) return { error: "every step failed", steps };
  return {
    sustainedRate: lo,
    mbPerSec: (lo * OMB.size) / 1e6,
    p99MsAtRate: loP99,
    steps,
  };
}
