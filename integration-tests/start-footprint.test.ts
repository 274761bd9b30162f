/**
 * What a plaintext broker loads to start and serve: Node built-ins and V8 features it
 * does not need stay untouched, since each costs resident memory for the whole life of
 * the process (docs/performance.md, "Start-up and footprint"). A preload records, at
 * exit, the built-in modules Node loaded and whether Date.prototype.toISOString (it
 * reads ICU's time-zone data, about 0.8 MB) or String.prototype.localeCompare (ICU's
 * collation data, about 3 MB) ran. The broker starts, serves a client (topic creation,
 * produce, a group's fetch and commit, fetching all of a group's offsets, logging on the
 * way), stops, and starts again over its data.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { removeDir, startBroker, tempDir } from "./helpers/broker-process.js";

const PRELOAD = `
const out = process.env.FOOTPRINT_OUT;
const calls = { toISOString: 0, localeCompare: 0 };
const iso = Date.prototype.toISOString;
Date.prototype.toISOString = function () { calls.toISOString++; return iso.call(this); };
const compare = String.prototype.localeCompare;
String.prototype.localeCompare = function (...a) { calls.localeCompare++; return compare.apply(this, a); };
process.on("exit", () => {
  require("node:fs").writeFileSync(out, JSON.stringify({ modules: process.moduleLoadList, calls }));
});
`;

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await removeDir(d);
});

interface Seen {
  modules: string[];
  calls: { toISOString: number; localeCompare: number };
}

async function startWatched(dir: string, dataDir?: string) {
  const preload = join(dir, "preload.cjs");
  const out = join(dir, `footprint-${Date.now()}.json`);
  await writeFile(preload, PRELOAD);
  const b = await startBroker({
    env: { NODE_OPTIONS: `--require ${preload}`, FOOTPRINT_OUT: out },
    args: ["--log-level", "info"],
    ...(dataDir === undefined ? {} : { dataDir }),
  });
  const seen = async (): Promise<Seen> => JSON.parse(await readFile(out, "utf8")) as Seen;
  return { b, seen };
}

function assertLight(seen: Seen, what: string): void {
  // The preload ran, and recorded Node's list.
  assert.ok(seen.modules.includes("NativeModule net"), `${what}: moduleLoadList was recorded`);
  const loaded = new Set(seen.modules);
  for (const m of ["perf_hooks", "tls", "http", "https", "zlib"])
    assert.equal(loaded.has(`NativeModule ${m}`), false, `${what}: node:${m} was loaded`);
  assert.deepEqual(seen.calls, { toISOString: 0, localeCompare: 0 }, `${what}: ICU was used`);
}

test("a plaintext broker starts, serves and restarts without perf_hooks, tls, http or ICU", async () => {
  const dir = await tempDir();
  dirs.push(dir);
  const first = await startWatched(dir);
  const b = first.b;
  dirs.push(b.dataDir);
  const kafka = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: "footprint" });
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "light", numPartitions: 2 }] });
    await producer.connect();
    await producer.send({
      topic: "light",
      messages: [
        { value: "v0", partition: 0 },
        { value: "v1", partition: 1 },
      ],
    });
    await consumer.connect();
    await consumer.subscribe({ topic: "light", fromBeginning: true });
    const values: string[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(String(message.value));
          if (values.length === 2) resolve();
        },
      });
    });
    assert.deepEqual(values.sort(), ["v0", "v1"]);
    await consumer.disconnect();
    // No topics: the broker answers with every offset the group committed, in order.
    const offsets = await admin.fetchOffsets({ groupId: "footprint" });
    assert.deepEqual(
      offsets.map((t) => t.partitions.map((p) => `${t.topic}-${p.partition}@${p.offset}`)),
      [["light-0@1", "light-1@1"]],
    );
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
    assert.equal(await b.stop(), 0);
  }
  assert.match(b.stderr(), /"msg":"listening"/);
  assertLight(await first.seen(), "first start");
  const again = await startWatched(dir, b.dataDir);
  try {
    const admin2 = new Kafka({ brokers: [again.b.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin2.connect();
    try {
      assert.ok((await admin2.listTopics()).includes("light"));
    } finally {
      await admin2.disconnect();
    }
  } finally {
    assert.equal(await again.b.stop(), 0);
  }
  assertLight(await again.seen(), "restart");
});
