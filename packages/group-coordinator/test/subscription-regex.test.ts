import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  compileSubscriptionRegex,
  SUBSCRIPTION_REGEX_CACHE_SIZE,
} from "../src/subscription-regex.js";

function matcher(pattern: string): (topic: string) => boolean {
  const compiled = compileSubscriptionRegex(pattern);
  assert.ok(compiled.ok, `${pattern} compiles`);
  return compiled.matches;
}

function rejected(pattern: string): string {
  const compiled = compileSubscriptionRegex(pattern);
  assert.ok(!compiled.ok, `${pattern} is rejected`);
  return compiled.message;
}

/**
 * [pattern, topics it matches, topics it does not]. Each row agrees with RE2/J 1.8
 * (Pattern.compile(p).matcher(t).matches(), what Kafka 4.4's regex resolution calls),
 * checked once by running both on the same table.
 */
const MATCHES: [string, string[], string[]][] = [
  ["topic-.*", ["topic-a", "topic-"], ["xtopic-a", "topic"]],
  ["a", ["a"], ["abc", "ba", ""]],
  ["orders\\..+", ["orders.eu"], ["orders", "orders."]],
  ["(?i)ORDERS", ["orders", "ORDERS", "Orders"], ["orders2"]],
  ["\\Qa.b\\E", ["a.b"], ["axb"]],
  ["\\pL+", ["abc", "αβγ", "éé"], ["a b", "12", ""]],
  ["[[:alpha:]]+-\\d+", ["abc-12"], ["abc-", "12-12"]],
  ["(?P<env>prod|dev)-.*", ["prod-x", "dev-"], ["test-x"]],
  ["foo|bar", ["foo", "bar"], ["foobar"]],
  ["^foo$", ["foo"], ["foobar"]],
  ["\\p{Greek}+", ["αβγ"], ["abc"]],
  ["[\\w.-]+", ["x-y.z_w", "ABC"], ["a b", "αβγ"]],
  ["\\z", [""], ["a"]],
  [".*", ["", "anything at all"], []],
];

describe("subscription regular expressions (RE2/J syntax, whole-name match)", () => {
  for (const [pattern, yes, no] of MATCHES) {
    it(`${pattern} matches whole topic names as RE2/J does`, () => {
      const matches = matcher(pattern);
      for (const t of yes) assert.ok(matches(t), `${pattern} should match ${t}`);
      for (const t of no) assert.ok(!matches(t), `${pattern} should not match ${t}`);
    });
  }

  it("rejects what RE2/J rejects (Java-only constructs included) with a message", () => {
    for (const pattern of [
      "(a)\\1", // backreference
      "a(?=b)", // lookahead
      "a(?!b)",
      "(?<=a)b", // lookbehind
      "(?<!a)b",
      "a++", // possessive quantifiers
      "a*+",
      "\\Z",
      "\\G",
      "(?x) a b", // Java's comments mode
      "x{1001}", // RE2 caps repetition at 1000
      "[",
      "(",
      "a{2,1}",
    ]) {
      assert.ok(rejected(pattern).length > 0, `${pattern} has a message`);
    }
    assert.match(rejected("(a)\\1"), /\\1/);
  });

  it("matches in linear time where a backtracking engine would not finish", () => {
    const matches = matcher("(a+)+$");
    assert.equal(matches(`${"a".repeat(5000)}!`), false);
    assert.equal(matches("a".repeat(5000)), true);
  });

  it("keeps compiled patterns in a bounded, least-recently-used cache", () => {
    const first = compileSubscriptionRegex("cache-first-.*");
    const touched = compileSubscriptionRegex("cache-touched-.*");
    assert.equal(compileSubscriptionRegex("cache-first-.*"), first, "a hit is the same object");
    for (let i = 0; i < SUBSCRIPTION_REGEX_CACHE_SIZE; i++) {
      compileSubscriptionRegex(`filler-${i}-.*`);
      // Used now and then, so never the least recently used.
      if (i % 10 === 0) assert.equal(compileSubscriptionRegex("cache-touched-.*"), touched);
    }
    assert.equal(compileSubscriptionRegex("cache-touched-.*"), touched);
    const again = compileSubscriptionRegex("cache-first-.*");
    assert.notEqual(again, first, "evicted, so compiled anew");
    assert.ok(again.ok && again.matches("cache-first-x"));
  });
});
