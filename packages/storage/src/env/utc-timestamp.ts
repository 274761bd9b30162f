/**
 * `new Date(ms).toISOString()` without calling it: V8's toISOString sets up its date
 * cache, which reads ICU's time-zone data, about 0.8 MB of the node binary that then
 * stays resident in a broker that never needed a time zone (docs/performance.md,
 * "Start-up and footprint"). The getUTC* accessors do not. Years outside 0-9999, which
 * toISOString writes with a sign and six digits, go to toISOString itself.
 */
const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

export function utcTimestamp(ms: number): string {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) return d.toISOString();
  const y =
    year < 10 ? `000${year}` : year < 100 ? `00${year}` : year < 1000 ? `0${year}` : `${year}`;
  return `${y}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${pad3(d.getUTCMilliseconds())}Z`;
}

/** The wall-clock time now, as utcTimestamp writes it: the logger's `time`. */
export const utcTimestampNow = (): string => utcTimestamp(Date.now());
