// Loaded into the broker under soak (NODE_OPTIONS="--import <this file>"): measures the
// broker's own event-loop delay with perf_hooks and prints one line a second on stderr,
// "soak-loop-delay {"p50":ms,"p99":ms,"max":ms}", for scripts/soak/soak.ts to read. The
// broker itself has no such metric; this keeps the measurement out of its code.
import { monitorEventLoopDelay } from "node:perf_hooks";

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();
const ms = (ns) => Math.round(ns / 1e4) / 100;
setInterval(() => {
  const line = {
    p50: ms(histogram.percentile(50)),
    p99: ms(histogram.percentile(99)),
    max: ms(histogram.max),
  };
  histogram.reset();
  process.stderr.write(`soak-loop-delay ${JSON.stringify(line)}\n`);
}, 1000).unref();
