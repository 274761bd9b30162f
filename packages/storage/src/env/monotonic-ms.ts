/**
 * Milliseconds since the process started, from a monotonic clock (µs resolution): what
 * performance.now() gives, without it. The `performance` global loads node:perf_hooks on
 * first use, about 0.3 MB of resident memory for a broker that needs none of it (docs/
 * performance.md, "Start-up and footprint").
 */
export const monotonicMs = (): number => process.uptime() * 1000;
