/**
 * Codec micro-benchmark: encode and decode MB/s of a 1 MiB Produce request (one partition,
 * and 16 partitions of 64 KiB), then the CRC-32C candidates. Run with `pnpm bench:protocol`.
 * A script, not a test: numbers vary with the machine; record them in the README.
 */
import { randomBytes } from "node:crypto";
import {
  createProduceRequest,
  createProduceRequestPartitionProduceData,
  createProduceRequestTopicProduceData,
  ProduceApi,
  type ProduceRequest,
  Reader,
  Writer,
} from "../src/index.js";

const BUDGET_MS = 500;

function request(partitions: number, bytesEach: number): ProduceRequest {
  return createProduceRequest({
    acks: -1,
    timeoutMs: 30000,
    topicData: [
      createProduceRequestTopicProduceData({
        name: "bench",
        partitionData: Array.from({ length: partitions }, (_, index) =>
          createProduceRequestPartitionProduceData({ index, records: randomBytes(bytesEach) }),
        ),
      }),
    ],
  });
}

function rate(bytesPerOp: number, op: () => void): number {
  for (let i = 0; i < 20; i++) op();
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < BUDGET_MS) {
    for (let i = 0; i < 10; i++) op();
    ops += 10;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return (ops * bytesPerOp) / 1e6 / (elapsed / 1000);
}

console.log("Produce request codec (MB/s, 10^6 bytes/s)");
console.log("case                          version  encode(fresh)  encode(reused)  decode");
for (const [label, partitions, each] of [
  ["1 MiB, 1 partition", 1, 1 << 20],
  ["1 MiB, 16 partitions x 64 KiB", 16, 1 << 16],
] as const) {
  const req = request(partitions, each);
  for (const version of [7, 9, 11]) {
    const size = ProduceApi.request.size(req, version);
    const encoded = Writer.alloc(size);
    ProduceApi.request.encode(encoded, req, version);
    const bytes = encoded.result();
    // Fresh buffers pay first-touch page faults (large on this VM); a reused one shows
    // the codec itself. The broker's hot paths should reuse or avoid copies.
    const fresh = rate(size, () => {
      const w = Writer.alloc(ProduceApi.request.size(req, version));
      ProduceApi.request.encode(w, req, version);
    });
    const reused = rate(size, () => {
      const w = new Writer(encoded.buf);
      ProduceApi.request.size(req, version);
      ProduceApi.request.encode(w, req, version);
    });
    const dec = rate(size, () => {
      ProduceApi.request.decode(new Reader(bytes), version);
    });
    console.log(
      `${label.padEnd(30)}v${String(version).padEnd(8)}${fresh.toFixed(0).padStart(13)}  ${reused.toFixed(0).padStart(14)}  ${dec.toFixed(0).padStart(6)}`,
    );
  }
}
console.log("");
await import("./crc-bench.js");
await import("./validation-bench.js");
