/**
 * CRC-32C candidates at record-batch sizes. Run:
 *   node --import tsx packages/protocol/bench/crc-bench.ts
 * Prints MB/s (10^6 bytes per second) per candidate and size.
 */
import { createRequire } from "node:module";
import { crc32c, crc32cImplementation } from "../src/records/crc32c.js";
import { crc32cBytewise, crc32cJs } from "../src/records/crc32c-js.js";

type Candidate = { name: string; fn: (b: Uint8Array) => number };

const candidates: Candidate[] = [
  { name: "js bytewise table", fn: (b) => crc32cBytewise(b) },
  { name: "js slicing-by-8", fn: (b) => crc32cJs(b) },
  { name: `crc32c() [${crc32cImplementation()}]`, fn: (b) => crc32c(b) },
];
try {
  const require = createRequire(import.meta.url);
  const mod = require("@node-rs/crc32") as { crc32c: (b: Uint8Array) => number };
  candidates.push({ name: "@node-rs/crc32 native", fn: (b) => mod.crc32c(b) });
} catch {
  console.log("@node-rs/crc32 not loadable here; skipped");
}

const sizes = [100, 1024, 16 * 1024, 1024 * 1024];
const budgetMs = 300;

function measure(fn: (b: Uint8Array) => number, buf: Uint8Array): number {
  let sink = 0;
  for (let i = 0; i < 50; i++) sink ^= fn(buf); // warm-up so the JIT settles
  let bytes = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < budgetMs) {
    for (let i = 0; i < 20; i++) sink ^= fn(buf);
    bytes += 20 * buf.length;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  if (sink === 0.5) console.log(sink); // keep the result alive
  return bytes / 1e6 / (elapsed / 1000);
}

const rows: string[][] = [["candidate", ...sizes.map((s) => `${s} B`)]];
for (const c of candidates) {
  const row = [c.name];
  for (const size of sizes) {
    const buf = Buffer.alloc(size);
    for (let i = 0; i < size; i++) buf[i] = (i * 131 + 7) & 0xff;
    row.push(`${measure(c.fn, buf).toFixed(0)} MB/s`);
  }
  rows.push(row);
}
const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
for (const r of rows) console.log(r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  "));
