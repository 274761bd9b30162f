/**
 * `new Date(ms).toISOString()` without calling it: V8's toISOString sets up its date
 * cache, which reads ICU's time-zone data, about 0.8 MB of the node binary that then
 * stays resident in a broker that never needed a time zone (docs/performance.md,
 * "Start-up and footprint"). The getUTC* accessors do not. Years outside 0-9999, which
 * toISOString writes with a sign and six digits, go to toISOString itself.
 */
const pad = (n: number, width: number): string => String(n).padStart(width, "0");

export function utcTimestamp(ms: number): string {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) return d.toISOString();
  return `${pad(year, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}Z`;
}

/** The wall-clock time now, as utcTimestamp writes it: the logger's `time`. */
export const utcTimestampNow = (): string => utcTimestamp(Date.now());
