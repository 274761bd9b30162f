import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setImmediate } from "node:timers/promises";
import { buildBatch, DecodeError, decodeBatch } from "@logbook/protocol";
import {
  buildOffsetMap,
  cleanableRatio,
  cleanSegmentBatches,
  shouldClean,
  splitBatches,
  yieldEvery,
} from "../src/cleaner/index.js";

/** One single-record batch per key, at consecutive offsets from `first`. */
function batchesOf(first: number, keys: string[]): Promise<Buffer[]> {
  return Promise.all(
    keys.map((k, i) =>
      buildBatch(
        [{ timestamp: 10n, key: Buffer.from(k), value: Buffer.from(`${k}@${first + i}`) }],
        {
          baseOffset: BigInt(first + i),
        },
      ),
    ),
  );
}

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const b of source) out.push(b);
  return out;
}

async function values(batches: Buffer[]): Promise<string[]> {
  const out: string[] = [];
  for (const b of batches) for (const r of (await decodeBatch(b)).records) out.push(`${r.value}`);
  return out;
}

const opts = { deleteHorizonMs: 0 };

describe("cleanSegmentBatches", () => {
  it("streams chunks of several batches and yields one Buffer per surviving batch", async () => {
    const batches = await batchesOf(0, ["a", "b", "a", "c", "b", "a"]);
    const build = await buildOffsetMap(batches, { maxEntries: 10 });
    // Two segments, each read as one chunk.
    const segment1 = [Buffer.concat(batches.slice(0, 3))];
    const segment2 = [Buffer.concat(batches.slice(3))];
    const out1 = await collect(cleanSegmentBatches(segment1, build.map, opts));
    const out2 = await collect(cleanSegmentBatches(segment2, build.map, opts));
    assert.deepEqual(await values(out1), []);
    assert.deepEqual(await values(out2), ["c@3", "b@4", "a@5"]);
    assert.deepEqual(out2[0], batches[3], "unchanged batches keep their bytes");
  });

  it("takes async sources", async () => {
    const batches = await batchesOf(0, ["a", "a"]);
    async function* source(): AsyncGenerator<Buffer> {
      for (const b of batches) yield b;
    }
    const build = await buildOffsetMap(batches, { maxEntries: 10 });
    assert.deepEqual(await values(await collect(cleanSegmentBatches(source(), build.map, opts))), [
      "a@1",
    ]);
  });

  it("yields to the event loop while cleaning a large segment", async () => {
    const batches = await batchesOf(
      0,
      Array.from({ length: 200 }, (_, i) => `k${i % 10}`),
    );
    const build = await buildOffsetMap(batches, { maxEntries: 100 });
    let ticks = 0;
    let running = true;
    const ticker = (async () => {
      while (running) {
        await setImmediate();
        ticks++;
      }
    })();
    const out = await collect(
      cleanSegmentBatches([Buffer.concat(batches)], build.map, { ...opts, yieldEveryBatches: 4 }),
    );
    running = false;
    await ticker;
    assert.equal(out.length, 10);
    assert.ok(ticks >= 200 / 4 - 1, `other callbacks ran ${ticks} times during the pass`);
  });

  it("stops when the signal aborts", async () => {
    const batches = await batchesOf(0, ["a", "b", "c", "d"]);
    const build = await buildOffsetMap(batches, { maxEntries: 10 });
    const controller = new AbortController();
    const seen: Buffer[] = [];
    await assert.rejects(async () => {
      for await (const b of cleanSegmentBatches(batches, build.map, {
        ...opts,
        signal: controller.signal,
      })) {
        seen.push(b);
        if (seen.length === 2) controller.abort(new Error("shutting down"));
      }
    }, /shutting down/);
    assert.equal(seen.length, 2);
  });

  it("refuses a chunk with a cut-off batch instead of cleaning part of a segment", async () => {
    const [a, b] = await batchesOf(0, ["a", "b"]);
    const chunk = Buffer.concat([a as Buffer, (b as Buffer).subarray(0, 30)]);
    const build = await buildOffsetMap([a as Buffer], { maxEntries: 10 });
    await assert.rejects(collect(cleanSegmentBatches([chunk], build.map, opts)), DecodeError);
    assert.throws(() => [...splitBatches(chunk)], DecodeError);
    assert.equal([...splitBatches(a as Buffer)].length, 1);
  });
});

describe("dirty ratio", () => {
  it("is dirty / (clean + dirty), 0 for an empty log", () => {
    assert.equal(cleanableRatio(0, 0), 0);
    assert.equal(cleanableRatio(300, 100), 0.25);
    assert.equal(cleanableRatio(0, 50), 1);
    assert.throws(() => cleanableRatio(-1, 0), RangeError);
  });

  it("triggers a clean only strictly above the minimum, and never with nothing dirty", () => {
    assert.equal(shouldClean(0.5, 0.5), false);
    assert.equal(shouldClean(0.51, 0.5), true);
    assert.equal(shouldClean(0.49, 0.5), false);
    assert.equal(shouldClean(0, 0), false);
    assert.equal(shouldClean(0.01, 0), true);
  });
});

describe("yieldEvery", () => {
  it("waits for setImmediate every n calls", async () => {
    const tick = yieldEvery(3, { maxBusyMs: 60_000 });
    const order: string[] = [];
    const immediate = setImmediate().then(() => order.push("immediate"));
    await tick();
    order.push("tick1");
    await tick();
    order.push("tick2");
    await tick();
    order.push("tick3");
    await immediate;
    assert.deepEqual(order, ["tick1", "tick2", "immediate", "tick3"]);
    assert.throws(() => yieldEvery(0), RangeError);
  });

  it("also yields once a slice has run for maxBusyMs", async () => {
    const tick = yieldEvery(1_000_000, { maxBusyMs: 0 });
    let ran = false;
    const immediate = setImmediate().then(() => {
      ran = true;
    });
    await tick();
    assert.equal(ran, true);
    await immediate;
  });
});
