/**
 * Seeded, time-bounded fuzzing of the broker process through its socket, one broker for
 * the whole file:
 *  - valid requests of every API and version it advertises (built with the generated
 *    constructors), then bit flips, length fields set to -1 / 0 / huge, truncations,
 *    random size prefixes up to 2 GiB and plain garbage, over many short-lived
 *    connections, a few frames back to back on each;
 *  - slow drip: requests (and a 2 GiB size prefix) sent one byte every few milliseconds;
 *  - connection churn: thousands of connections opened and dropped (at once, after part
 *    of a frame, after a whole request without reading, or reset), after which the
 *    broker's open file descriptors are back to where they were;
 *  - pipelining: thousands of Fetch requests with large responses written without
 *    reading any response (backpressure must bound the broker's memory), and thousands of
 *    small pipelined requests answered in order.
 * Afterwards the process must be alive, its peak RSS (VmHWM in /proc/<pid>/status,
 * reported as a diagnostic) below MAX_PEAK_RSS_MIB, and a produce/fetch round trip must
 * work.
 *
 * Reproduce a run with LOGBOOK_FUZZ_SEED=<seed printed below>; LOGBOOK_FUZZ_MS sets the
 * budget of the frame fuzzing (20 s by default; the connection churn scales with it).
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { after, before, test } from "node:test";
import {
  type ApiCodec,
  ApiVersionsApi,
  apiCodecs,
  createApiVersionsRequest,
  createFetchRequest,
  createFetchRequestPartition,
  createFetchRequestTopic,
  createMetadataRequest,
  createMetadataRequestTopic,
  decodeResponseFrame,
  encodeRequestFrame,
  FetchApi,
  MetadataApi,
} from "@logbook/protocol";
import { Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker } from "./helpers/broker-process.js";
import { WireClient } from "./helpers/wire-client.js";
import { fetchAll, produceValues } from "./helpers/wire-data.js";

const BUDGET_MS = Number(process.env.LOGBOOK_FUZZ_MS ?? 20_000);
const SEED = Number(process.env.LOGBOOK_FUZZ_SEED ?? Date.now() % 2 ** 31);
const PARALLEL = 16;
/** How long one connection may live before the fuzzer drops it. */
const CONNECTION_MS = 150;
const CHURN_CONNECTIONS = Math.max(3000, Math.round((3000 * BUDGET_MS) / 20_000));
/**
 * Bound on the broker's peak RSS. An idle broker sits near 100 MiB; the pipelined
 * fetches add about 100 MiB (64 requests in flight of 1 MiB each, 16 MiB of responses
 * waiting in the socket). Starting every request of a received chunk at once, as the
 * broker once did, took it past 500 MiB.
 */
const MAX_PEAK_RSS_MIB = 320;

/** mulberry32: small, fast, good enough to drive mutations reproducibly. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let broker: BrokerProcess;
let rand: () => number;
before(async () => {
  broker = await startBroker({
    args: ["-o", "socket.request.max.bytes=1048576", "--log-level", "error"],
  });
  rand = rng(SEED);
});
after(async () => {
  if (broker.isAlive()) await broker.stop();
  await removeDir(broker.dataDir);
});

interface Template {
  api: ApiCodec<unknown, unknown>;
  version: number;
  frame: Buffer;
}

async function templates(): Promise<Template[]> {
  const c = await WireClient.connect(broker.port);
  const r = await c.request(ApiVersionsApi, 0, createApiVersionsRequest());
  c.close();
  const out: Template[] = [];
  for (const k of r.body.apiKeys) {
    const api = apiCodecs.find((a) => a.apiKey === k.apiKey);
    assert.ok(api, `advertised API ${k.apiKey} has a codec`);
    for (let v = k.minVersion; v <= k.maxVersion; v++) {
      const frame = encodeRequestFrame(
        api,
        v,
        { correlationId: 1, clientId: "fuzz" },
        api.request.create(),
      );
      out.push({ api, version: v, frame });
    }
  }
  return out;
}

function mutate(t: Template, rand: () => number): Buffer {
  const f = Buffer.from(t.frame);
  const pos = () => 4 + Math.floor(rand() * Math.max(1, f.length - 4));
  const honest = (b: Buffer) => {
    b.writeInt32BE(b.length - 4, 0);
    return b;
  };
  switch (Math.floor(rand() * 7)) {
    case 0: // the valid request itself
      return f;
    case 1: {
      const flips = 1 + Math.floor(rand() * 8);
      for (let i = 0; i < flips; i++) {
        const p = pos();
        if (p < f.length) f[p] = (f[p] as number) ^ (1 << Math.floor(rand() * 8));
      }
      return f;
    }
    case 2: {
      // A length or count field set to -1, 0 or huge (INT16 or INT32 wide).
      const p = pos();
      const value = [-1, 0, 0x7fff, 0x7fffffff, -2][Math.floor(rand() * 5)] as number;
      if (rand() < 0.5 && p + 2 <= f.length)
        f.writeInt16BE(Math.max(-32768, Math.min(32767, value)), p);
      else if (p + 4 <= f.length) f.writeInt32BE(value, p);
      return f;
    }
    case 3: // truncated, prefix honest
      return honest(Buffer.from(f.subarray(0, 4 + Math.floor(rand() * (f.length - 4)))));
    case 4: // truncated, prefix still claims the full length
      return Buffer.from(f.subarray(0, Math.floor(rand() * f.length)));
    case 5: {
      // Any size prefix up to 2 GiB - 1, with the body (or part of it) behind it.
      f.writeInt32BE(Math.floor(rand() * 0x7fffffff), 0);
      return f;
    }
    default: {
      const g = Buffer.alloc(Math.floor(rand() * 64));
      for (let i = 0; i < g.length; i++) g[i] = Math.floor(rand() * 256);
      return rand() < 0.5 ? honest(Buffer.concat([Buffer.alloc(4), g])) : g;
    }
  }
}

async function oneConnection(payload: Buffer): Promise<void> {
  let c: WireClient;
  try {
    c = await WireClient.connect(broker.port);
  } catch {
    return;
  }
  c.write(payload);
  await Promise.race([c.closed, new Promise((r) => setTimeout(r, CONNECTION_MS))]);
  c.close();
}

test(`fuzzed frames of every advertised API and version (seed ${SEED})`, async (t) => {
  t.diagnostic(`seed ${SEED} (LOGBOOK_FUZZ_SEED to replay), budget ${BUDGET_MS} ms`);
  const all = await templates();
  assert.ok(all.length > 50, `${all.length} API versions advertised`);
  const deadline = Date.now() + BUDGET_MS;
  let sent = 0;
  // Every template at least once, unmutated and mutated, then random ones until the budget.
  const queue: Buffer[] = all.flatMap((tpl) => [tpl.frame, mutate(tpl, rand)]);
  const next = (): Buffer =>
    queue.shift() ?? mutate(all[Math.floor(rand() * all.length)] as Template, rand);
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (Date.now() < deadline || queue.length > 0) {
        // Several frames back to back on one connection, like a pipelining client.
        const n = 1 + Math.floor(rand() * 3);
        await oneConnection(Buffer.concat(Array.from({ length: n }, next)));
        sent += n;
      }
    }),
  );
  t.diagnostic(`${sent} frames sent`);
  assertAlive();
});

function assertAlive(): void {
  assert.ok(broker.isAlive(), `broker died; stderr:\n${broker.stderr().slice(-4000)}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A field of /proc/<pid>/status in KiB (VmRSS, VmHWM). */
async function procStatusKib(field: string): Promise<number> {
  const status = await readFile(`/proc/${broker.pid}/status`, "utf8");
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
  assert.ok(m, `${field} in /proc/${broker.pid}/status`);
  return Number(m[1]);
}

async function openFds(): Promise<number> {
  return (await readdir(`/proc/${broker.pid}/fd`)).length;
}

function rawConnect(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port: broker.port, host: "127.0.0.1" });
    s.once("connect", () => {
      s.off("error", reject);
      s.on("error", () => {});
      resolve(s);
    });
    s.once("error", reject);
  });
}

function metadataFrame(correlationId: number): Buffer {
  return encodeRequestFrame(
    MetadataApi,
    12,
    { correlationId, clientId: "fuzz-drip" },
    createMetadataRequest({
      allowAutoTopicCreation: false,
      topics: Array.from({ length: 12 }, (_, i) =>
        createMetadataRequestTopic({ name: `drip-topic-${i}` }),
      ),
    }),
  );
}

async function drip(socket: Socket, bytes: Buffer, everyMs: () => number): Promise<void> {
  for (let i = 0; i < bytes.length && !socket.destroyed; i++) {
    socket.write(bytes.subarray(i, i + 1));
    await sleep(everyMs());
  }
}

test("slow drip: requests sent one byte every few milliseconds are answered; a dripped 2 GiB size prefix is refused", async (t) => {
  const every = () => 2 + Math.floor(rand() * 6);
  const answered = await Promise.all(
    Array.from({ length: 6 }, async (_, i) => {
      const c = await WireClient.connect(broker.port);
      try {
        const frame = metadataFrame(100 + i);
        await drip(c.socket, frame, every);
        const resp = decodeResponseFrame(MetadataApi, 12, await c.nextFrame());
        assert.equal(resp.header.correlationId, 100 + i);
        assert.equal(resp.body.topics.length, 12, "every dripped topic is answered");
        return frame.length;
      } finally {
        c.close();
      }
    }),
  );
  t.diagnostic(`dripped ${answered.join("/")} bytes per connection`);
  // The size prefix alone, byte by byte: past socket.request.max.bytes, so the broker
  // closes the connection instead of waiting for (or allocating) 2 GiB.
  const big = await WireClient.connect(broker.port);
  await drip(big.socket, Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0]), every);
  await Promise.race([
    big.closed,
    sleep(5000).then(() => assert.fail("a 2 GiB frame was not refused")),
  ]);
  // Random bytes inside an honest small frame, dripped: answered or closed, never a crash.
  const junk = await WireClient.connect(broker.port);
  const body = Buffer.from(Array.from({ length: 60 }, () => Math.floor(rand() * 256)));
  const framed = Buffer.concat([Buffer.alloc(4), body]);
  framed.writeInt32BE(body.length, 0);
  await drip(junk.socket, framed, every);
  await Promise.race([junk.closed, sleep(500)]);
  junk.close();
  assertAlive();
});

test(`connection churn: ${CHURN_CONNECTIONS} connections opened and dropped leave no descriptor behind`, async (t) => {
  const before = await openFds();
  const valid = encodeRequestFrame(
    ApiVersionsApi,
    3,
    { correlationId: 1, clientId: "churn" },
    createApiVersionsRequest({ clientSoftwareName: "churn", clientSoftwareVersion: "1" }),
  );
  const kinds = [0, 0, 0, 0];
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < CHURN_CONNECTIONS) {
        next++;
        let s: Socket;
        try {
          s = await rawConnect();
        } catch {
          continue;
        }
        const kind = Math.floor(rand() * 4);
        kinds[kind] = (kinds[kind] ?? 0) + 1;
        if (kind === 1) s.write(valid.subarray(0, 1 + Math.floor(rand() * (valid.length - 1))));
        if (kind === 2) s.write(valid);
        if (kind === 3) s.resetAndDestroy();
        else s.destroy();
      }
    }),
  );
  t.diagnostic(
    `dropped at once ${kinds[0]}, mid-frame ${kinds[1]}, after a request ${kinds[2]}, reset ${kinds[3]}`,
  );
  assertAlive();
  let after = await openFds();
  const deadline = Date.now() + 10_000;
  while (after > before + 4 && Date.now() < deadline) {
    await sleep(100);
    after = await openFds();
  }
  t.diagnostic(`broker fds before ${before}, after ${after}`);
  assert.ok(after <= before + 4, `file descriptors leaked: ${before} before, ${after} after`);
});

test("pipelining: fetches written without reading the responses stay bounded; small pipelined requests are answered in order", async (t) => {
  const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "pipelined", numPartitions: 1 }] });
  await admin.disconnect();
  const chunk = "p".repeat(256 * 1024);
  for (let i = 0; i < 4; i++) {
    const r = await produceValues(broker.port, "pipelined", 0, [chunk]);
    assert.equal(r.errorCode, 0);
  }
  const fetch = (correlationId: number) =>
    encodeRequestFrame(
      FetchApi,
      11,
      { correlationId, clientId: "fuzz-pipe" },
      createFetchRequest({
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1024 * 1024,
        sessionEpoch: -1,
        topics: [
          createFetchRequestTopic({
            topic: "pipelined",
            partitions: [
              createFetchRequestPartition({
                partition: 0,
                fetchOffset: 0n,
                partitionMaxBytes: 1024 * 1024,
              }),
            ],
          }),
        ],
      }),
    );
  const rssBefore = await procStatusKib("VmRSS");
  // Never read: the broker must stop reading this socket once its responses back up.
  const hog = await rawConnect();
  hog.pause();
  let written = 0;
  const until = Date.now() + 3000;
  while (Date.now() < until && written < 20_000) {
    // Keep our own buffer small too: wait while the kernel refuses more.
    if (hog.writableLength > 256 * 1024) {
      await sleep(20);
      continue;
    }
    for (let i = 0; i < 100; i++) hog.write(fetch(written++));
    await sleep(1);
  }
  await sleep(500);
  const rssHog = await procStatusKib("VmRSS");
  t.diagnostic(
    `${written} fetches of up to 1 MiB written unread; broker RSS ${Math.round(rssBefore / 1024)} MiB before, ${Math.round(rssHog / 1024)} MiB with them queued`,
  );
  assert.ok(
    rssHog - rssBefore < 200 * 1024,
    `RSS grew by ${Math.round((rssHog - rssBefore) / 1024)} MiB for unread responses`,
  );
  hog.destroy();

  // Small requests pipelined, then read: every one answered, in request order.
  const c = await WireClient.connect(broker.port);
  const n = 2000;
  const frames = Array.from({ length: n }, (_, i) =>
    encodeRequestFrame(
      ApiVersionsApi,
      3,
      { correlationId: 10_000 + i, clientId: "fuzz-pipe" },
      createApiVersionsRequest({ clientSoftwareName: "pipe", clientSoftwareVersion: "1" }),
    ),
  );
  c.write(Buffer.concat(frames));
  for (let i = 0; i < n; i++) {
    const resp = decodeResponseFrame(ApiVersionsApi, 3, await c.nextFrame());
    assert.equal(resp.header.correlationId, 10_000 + i, "responses in request order");
  }
  c.close();
  assertAlive();
});

test("afterwards: the broker is up, its peak memory stayed bounded, and a produce/fetch round trip works", async (t) => {
  assertAlive();
  const hwm = await procStatusKib("VmHWM");
  t.diagnostic(`broker peak RSS (VmHWM) ${Math.round(hwm / 1024)} MiB`);
  assert.ok(hwm < MAX_PEAK_RSS_MIB * 1024, `peak RSS ${hwm} KiB above ${MAX_PEAK_RSS_MIB} MiB`);

  const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "after-fuzz", numPartitions: 1 }] });
  await admin.disconnect();
  const p = await produceValues(broker.port, "after-fuzz", 0, ["still", "alive"]);
  assert.equal(p.errorCode, 0);
  const { records } = await fetchAll(broker.port, "after-fuzz", 0);
  assert.deepEqual(
    records.map((r) => r.value),
    ["still", "alive"],
  );
});
