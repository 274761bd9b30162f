import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { UsageError } from "../src/cli/commands/usage-error.js";
import {
  formatRecord,
  jsonRecord,
  parseFormat,
  parseJsonLine,
  parseLine,
} from "../src/cli/record-format.js";

const record = {
  topic: "orders",
  partition: 2,
  offset: 41n,
  timestamp: 1_700_000_000_123n,
  key: Buffer.from("k1"),
  value: Buffer.from("hello"),
  headers: [
    { key: "a", value: Buffer.from("1") },
    { key: "b", value: null },
  ],
};

test("every token and escape prints", () => {
  assert.equal(
    formatRecord(parseFormat("%t/%p@%o %d [%k] %v {%h} 100%%\\t|\\n"), record),
    "orders/2@41 1700000000123 [k1] hello {a=1,b=} 100%\t|\n",
  );
});

test("JSON lines keep null apart from empty", () => {
  assert.deepEqual(JSON.parse(jsonRecord({ ...record, key: null, value: Buffer.alloc(0) })), {
    topic: "orders",
    partition: 2,
    offset: 41,
    timestamp: 1700000000123,
    key: null,
    value: "",
    headers: { a: "1", b: null },
  });
});

test("an unknown %-token is a usage error naming the format", () => {
  assert.throws(
    () => parseFormat("%k %x"),
    (e: Error) => e instanceof UsageError && /%x is not one of/.test(e.message),
  );
});

test("input lines parse by the same format: key, value, partition, timestamp, JSON headers", () => {
  const r = parseLine(parseFormat("%p|%d|%k=%v|%h\\n"), '3|1700000000000|user-1=a=b|{"trace":"x"}');
  assert.equal(r.partition, 3);
  assert.equal(r.timestamp, 1_700_000_000_000n);
  assert.equal(r.key?.toString(), "user-1");
  assert.equal(r.value?.toString(), "a=b");
  assert.deepEqual(
    r.headers?.map((h) => [h.key, h.value?.toString()]),
    [["trace", "x"]],
  );
  assert.throws(() => parseLine(parseFormat("%k:%v"), "no separator"), UsageError);
  assert.throws(() => parseLine(parseFormat("%p %v"), "x v"), /partition "x" is not a number/);
});

test("what %k<sep>%v prints, %k<sep>%v reads back (keys without the separator)", () => {
  const tokens = parseFormat("%k\\t%v");
  fc.assert(
    fc.property(
      fc.string().filter((s) => !s.includes("\t") && !s.includes("\n")),
      fc.string().filter((s) => !s.includes("\n")),
      (key, value) => {
        const line = formatRecord(tokens, {
          ...record,
          key: Buffer.from(key),
          value: Buffer.from(value),
        });
        const back = parseLine(tokens, line);
        assert.equal(back.key?.toString(), key);
        assert.equal(back.value?.toString(), value);
      },
    ),
  );
});

test("JSON input: objects as values are kept as JSON text, missing fields are null", () => {
  const r = parseJsonLine('{"value":{"n":1},"headers":{"h":"v"},"partition":1}');
  assert.equal(r.key, null);
  assert.equal(r.value?.toString(), '{"n":1}');
  assert.equal(r.partition, 1);
  assert.throws(() => parseJsonLine("[1]"), /not a JSON object/);
});
