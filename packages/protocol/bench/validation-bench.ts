/**
 * The broker's LogValidator walk (summarizeRecordsArea) over the records of a 1 MiB
 * uncompressed batch, next to CRC-32C of the same bytes, which every produce already
 * pays: what validating each record adds to the produce path.
 */
import { crc32c, encodeBatch, summarizeRecordsArea } from "../src/index.js";
import { rate } from "./rate.js";

console.log("Produce validation walk (MB/s, 10^6 bytes/s) over a 1 MiB batch");
console.log("record size   records  walk     crc32c");
for (const size of [100, 1024, 16 * 1024]) {
  const count = Math.floor((1 << 20) / size);
  const batch = await encodeBatch({
    baseTimestamp: BigInt(Date.now()),
    records: Array.from({ length: count }, (_, i) => ({
      attributes: 0,
      timestampDelta: BigInt(i),
      offsetDelta: i,
      key: Buffer.from(`key-${i % 100}`),
      value: Buffer.alloc(size - 20, 0x61),
      headers: [],
    })),
  });
  const area = batch.subarray(61);
  const walk = rate(area.length, () => {
    summarizeRecordsArea(area, Date.now(), { timestampBounds: { min: 0, max: 2 ** 50 } });
  });
  const crc = rate(batch.length, () => {
    crc32c(batch, 21, batch.length);
  });
  console.log(
    `${String(size).padEnd(14)}${String(count).padEnd(9)}${walk.toFixed(0).padEnd(9)}${crc.toFixed(0)}`,
  );
}
