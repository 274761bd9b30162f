/**
 * KIP-848 regular-expression subscriptions (ConsumerGroupHeartbeat's
 * SubscribedTopicRegex). Kafka compiles them with RE2/J and a topic is subscribed when
 * the whole name matches (Matcher.matches(), not find()). re2js is a JavaScript port of
 * RE2/J: the same syntax, so what Kafka rejects (backreferences, lookaround, possessive
 * quantifiers) is rejected here too, and matching is linear in the topic name.
 *
 * Compiled patterns are cached (a group's members usually share one pattern and it is
 * re-evaluated whenever topics change); the cache is bounded and drops its oldest entry.
 */
import { createRequire } from "node:module";

// Loaded on first use (its CommonJS build): only groups subscribing by regex need it,
// and start-up should not pay for it.
const require = createRequire(import.meta.url);
let re2jsModule: typeof import("re2js") | null = null;
const re2js = (): typeof import("re2js") =>
  (re2jsModule ??= require("re2js") as typeof import("re2js"));

export type CompiledSubscriptionRegex =
  | { ok: true; matches(topic: string): boolean }
  /**
   * `message` names the offending part of the pattern; `description` is the syntax error
   * alone, as RE2/J's PatternSyntaxException.getDescription() words it (Kafka's answer).
   */
  | { ok: false; message: string; description: string };

/** How many distinct patterns stay compiled. */
export const SUBSCRIPTION_REGEX_CACHE_SIZE = 256;

const cache = new Map<string, CompiledSubscriptionRegex>();

export function compileSubscriptionRegex(pattern: string): CompiledSubscriptionRegex {
  const hit = cache.get(pattern);
  if (hit !== undefined) {
    // Re-insert so the least recently used entry is the first one dropped.
    cache.delete(pattern);
    cache.set(pattern, hit);
    return hit;
  }
  const compiled = compile(pattern);
  cache.set(pattern, compiled);
  if (cache.size > SUBSCRIPTION_REGEX_CACHE_SIZE) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return compiled;
}

function compile(pattern: string): CompiledSubscriptionRegex {
  try {
    const { RE2JS } = re2js();
    const re = RE2JS.compile(pattern);
    return { ok: true, matches: (topic) => re.matches(topic) };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const description = e instanceof re2js().RE2JSSyntaxException ? e.getDescription() : message;
    return { ok: false, message, description };
  }
}
