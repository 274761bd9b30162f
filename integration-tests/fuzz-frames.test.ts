/**
 * Seeded, time-bounded fuzzing of the broker process through its socket: valid requests
 * of every API and version it advertises (built with the generated constructors), then
 * bit flips, length fields set to -1 / 0 / huge, truncations, random size prefixes up
 * to 2 GiB and plain garbage, over many short-lived connections. Afterwards the process
 * must be alive and a produce/fetch round trip must work.
 *
 * Reproduce a run with LOGBOOK_FUZZ_SEED=<seed printed below>; LOGBOOK_FUZZ_MS sets the
 * budget (20 s by default).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  type ApiCodec,
  ApiVersionsApi,
  apiCodecs,
  createApiVersionsRequest,
  encodeRequestFrame,
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
before(async () => {
  broker = await startBroker({
    args: ["-o", "socket.request.max.bytes=1048576", "--log-level", "error"],
  });
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
  const rand = rng(SEED);
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
  assert.ok(broker.isAlive(), `broker died; stderr:\n${broker.stderr().slice(-4000)}`);

  // Still serving: a produce/fetch round trip.
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
