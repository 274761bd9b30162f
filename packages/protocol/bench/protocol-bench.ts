/**
 * Codec micro-benchmark: encode and decode MB/s of a 1 MiB Produce request (one partition,
 * and 16 partitions of 64 KiB), then the CRC-32C candidates. Run with `pnpm bench:protocol`.
 * A script, not a test: numbers vary with the machine; record them in the README.
 */
import { randomBytes } from "node:crypto";
import {
  createProduceRequest,
  createProduceRequestPartitionData,
  createProduceRequestTopicData,
  ProduceApi,
  type ProduceRequest,
  Reader,
  Writer,
} from "../src/index.js";
import { rate } from "./rate.js";

function request(partitions: number, bytesEach: number): ProduceRequest {
  return createProduceRequest({
    acks: -1,
    timeoutMs: 30000,
    topicData: [
      createProduceRequestTopicData({
        name: "bench",
        partitionData: Array.from({ length: partitions }, (_, index) =>
          createProduceRequestPartitionData({ index, records: randomBytes(bytesEach) }),
        ),
      }),
    ],
  });
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
