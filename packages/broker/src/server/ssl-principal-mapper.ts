/**
 * ssl.principal.mapping.rules: how a client certificate's subject (an RFC 2253
 * distinguished name such as CN=alice,OU=Eng,O=Acme) becomes a principal name, with
 * Kafka's rule syntax: a comma- or newline-separated list of `DEFAULT` (the whole
 * name) and `RULE:pattern/replacement/` with an optional L or U flag (lower or upper
 * case the result). The first rule whose pattern matches the whole name decides.
 */
import { ConfigValueError } from "../config/kinds.js";

interface Rule {
  readonly text: string;
  /** Null for DEFAULT. */
  readonly pattern: RegExp | null;
  readonly replacement: string;
  readonly caseFlag: "" | "L" | "U";
}

export class NoMatchingRule extends Error {
  override readonly name = "NoMatchingRule";
}

// One rule and the separator after it; a pattern or replacement may hold `\/` and `\,`.
const RULE =
  /\s*(DEFAULT|RULE:((?:\\.|[^\\/])*)\/((?:\\.|[^\\/])*)\/([LU]?)|[^,\n]*?)\s*(?:[,\n]|$)/y;

export class SslPrincipalMapper {
  private constructor(private readonly rules: readonly Rule[]) {}

  /** Parses the rules; throws ConfigValueError naming the first rule it cannot read. */
  static parse(text: string): SslPrincipalMapper {
    const rules: Rule[] = [];
    RULE.lastIndex = 0;
    while (RULE.lastIndex < text.length) {
      const start = RULE.lastIndex;
      const m = RULE.exec(text);
      if (m === null || RULE.lastIndex === start) break;
      const whole = m[1] ?? "";
      if (whole === "") continue;
      if (whole === "DEFAULT") {
        rules.push({ text: whole, pattern: null, replacement: "", caseFlag: "" });
        continue;
      }
      if (m[2] === undefined) throw new ConfigValueError(`Invalid rule: ${whole}`);
      let pattern: RegExp;
      try {
        pattern = new RegExp(m[2], "g");
      } catch (e) {
        throw new ConfigValueError(
          `Invalid rule: ${whole}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
      rules.push({
        text: whole,
        pattern,
        replacement: jsReplacement(m[3] ?? ""),
        caseFlag: (m[4] ?? "") as Rule["caseFlag"],
      });
    }
    if (rules.length === 0)
      rules.push({ text: "DEFAULT", pattern: null, replacement: "", caseFlag: "" });
    return new SslPrincipalMapper(rules);
  }

  /** The principal name for a distinguished name; throws NoMatchingRule when no rule applies. */
  name(distinguishedName: string): string {
    for (const r of this.rules) {
      const out = apply(r, distinguishedName);
      if (out !== null) return out;
    }
    throw new NoMatchingRule(
      `No rules apply to ${distinguishedName}, rules [${this.rules.map((r) => r.text).join(", ")}]`,
    );
  }
}

function apply(rule: Rule, dn: string): string | null {
  if (rule.pattern === null) return dn;
  const whole = new RegExp(`^(?:${rule.pattern.source})$`);
  if (!whole.test(dn)) return null;
  rule.pattern.lastIndex = 0;
  const out = dn.replace(rule.pattern, rule.replacement);
  if (rule.caseFlag === "L") return out.toLowerCase();
  if (rule.caseFlag === "U") return out.toUpperCase();
  return out;
}

/**
 * A Java replacement string ($1, ${name}, backslash escapes) in String.replace's
 * syntax ($1, $<name>, $$ for a dollar).
 */
function jsReplacement(java: string): string {
  let out = "";
  for (let i = 0; i < java.length; i++) {
    const c = java[i] as string;
    if (c === "\\" && i + 1 < java.length) {
      const next = java[++i] as string;
      out += next === "$" ? "$$" : next;
    } else if (c === "$" && java[i + 1] === "{") {
      const end = java.indexOf("}", i);
      if (end < 0) throw new ConfigValueError(`Invalid replacement: ${java}`);
      out += `$<${java.slice(i + 2, end)}>`;
      i = end;
    } else {
      out += c;
    }
  }
  return out;
}
