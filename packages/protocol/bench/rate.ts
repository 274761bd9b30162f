/** The measuring loop the protocol benchmarks share. */

const BUDGET_MS = 500;

/** MB/s (10^6 bytes/s) of `op` over `bytesPerOp` bytes: 20 warm-up runs, then ~500 ms of runs. */
export function rate(bytesPerOp: number, op: () => void): number {
  for (let i = 0; i < 20; i++) op();
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < BUDGET_MS) {
    for (let i = 0; i < 10; i++) op();
    ops += 10;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return (ops * bytesPerOp) / 1e6 / (elapsed / 1000);
}
