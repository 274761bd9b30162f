/** One `key=value` entry of a properties file, with its line for error messages. */
export interface PropertyEntry {
  key: string;
  value: string;
  line: number;
}

/**
 * Parses the subset of Java's .properties syntax that Kafka's server.properties uses:
 * `key=value` or `key: value`, surrounding whitespace trimmed, `#` and `!` comment
 * lines, blank lines, and a trailing backslash continuing a value on the next line.
 * A line without a separator is returned with an empty value, as Java does, so the
 * caller reports it as an invalid value rather than losing it.
 */
export function parseProperties(text: string): PropertyEntry[] {
  const out: PropertyEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const startLine = i + 1;
    let logical = (lines[i] as string).trimStart();
    if (logical === "" || logical.startsWith("#") || logical.startsWith("!")) continue;
    while (endsWithContinuation(logical) && i + 1 < lines.length) {
      i++;
      logical = logical.slice(0, -1) + (lines[i] as string).trimStart();
    }
    const sep = logical.search(/[=:]/);
    const key = (sep < 0 ? logical : logical.slice(0, sep)).trim();
    const value = sep < 0 ? "" : logical.slice(sep + 1).trim();
    out.push({ key, value, line: startLine });
  }
  return out;
}

/** An odd number of trailing backslashes continues the line (an even number is escaped). */
function endsWithContinuation(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === "\\"; i--) n++;
  return n % 2 === 1;
}
