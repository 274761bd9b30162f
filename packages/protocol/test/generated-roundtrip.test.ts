/**
 * Round trip of every generated message at every version: random values built from the
 * schema are encoded, the encoded size must equal the bytes written, and decoding must
 * give the same value back. Unknown tagged fields must survive in flexible versions.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { fullName, type MessageSpec } from "../../../scripts/protocol-gen/spec-model.js";
import { Reader, Writer } from "../src/primitives/index.js";
import { ArbitraryBuilder, fn, specs } from "./helpers/schema-arbitrary.js";

function roundTrip(msg: MessageSpec, version: number): void {
  const name = fullName(msg);
  const encode = fn(`encode${name}`);
  const decode = fn(`decode${name}`);
  const size = fn(`size${name}`);
  fc.assert(
    fc.property(new ArbitraryBuilder(msg, version).top(), (value) => {
      const n = size(value, version) as number;
      const w = Writer.alloc(n);
      encode(w, value, version);
      assert.equal(w.pos, n, "size() must equal the bytes written");
      const r = new Reader(w.result());
      const back = decode(r, version);
      assert.equal(r.remaining(), 0, "decode must consume every byte");
      assert.deepStrictEqual(back, value);
    }),
    { numRuns: 40 },
  );
}

test("every generated message round-trips at every version", async (t) => {
  let cases = 0;
  for (const msg of specs) {
    await t.test(`${fullName(msg)} v${msg.validVersions.min}-${msg.validVersions.max}`, () => {
      for (let v = msg.validVersions.min; v <= msg.validVersions.max; v++) {
        roundTrip(msg, v);
        cases++;
      }
    });
  }
  // 43 APIs (request + response), 2 headers and the data schemas: ~480 message versions.
  assert.ok(specs.length >= 100, `only ${specs.length} messages loaded`);
  assert.ok(cases >= 470, `only ${cases} message versions exercised`);
});
