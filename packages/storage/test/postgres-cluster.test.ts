import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { PostgresServer } from "../../../scripts/postgres/server.js";
import { DuplicateBrokerError, type LiveBroker } from "../src/cluster-membership.js";
import { memoryLogger, silentLogger } from "../src/logger.js";
import {
  openPostgresCluster,
  type PostgresClusterMembership,
} from "../src/postgres/cluster-membership.js";

let server: PostgresServer;
let databases = 0;
const pools: pg.Pool[] = [];

before(async () => {
  server = await PostgresServer.start();
});

after(async () => {
  await Promise.all(pools.map((p) => p.end().catch(() => {})));
  await server.stop();
});

async function freshDatabase(): Promise<string> {
  databases++;
  return server.createDatabase(`cluster_${databases}`);
}

function poolOf(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  pool.on("error", () => {});
  pools.push(pool);
  return pool;
}

function broker(nodeId: number, port = 9000 + nodeId): LiveBroker {
  return {
    nodeId,
    rack: nodeId % 2 === 0 ? "rack-a" : null,
    endpoints: [{ listener: "PLAINTEXT", host: "127.0.0.1", port, securityProtocol: "PLAINTEXT" }],
  };
}

/** Heartbeats are stepped by the tests: the timer would only fire after a minute. */
const MANUAL = { heartbeatIntervalMs: 60_000, logger: silentLogger };

async function member(
  url: string,
  sessionTimeoutMs = 10_000,
  pool = poolOf(url),
): Promise<PostgresClusterMembership> {
  return openPostgresCluster(pool, { ...MANUAL, sessionTimeoutMs });
}

const ids = (m: PostgresClusterMembership) => m.live().map((b) => b.nodeId);

test("two brokers in one database see each other, with endpoints and rack", async () => {
  const url = await freshDatabase();
  const a = await member(url);
  const b = await member(url);
  await a.register(broker(1));
  const afterA = a.generation;
  await b.register(broker(2));
  assert.deepEqual(ids(b), [1, 2]);
  assert.ok(b.generation > afterA, "a join raises the generation");
  await a.heartbeat();
  assert.deepEqual(ids(a), [1, 2]);
  assert.equal(a.generation, b.generation);
  assert.deepEqual(a.live()[1], broker(2));
  await a.close();
  await b.close();
});

test("a broker that stops heartbeating drops out after its session timeout; the generation rises", async () => {
  const url = await freshDatabase();
  const a = await member(url, 10_000);
  const deadPool = poolOf(url);
  const b = await member(url, 300, deadPool);
  await a.register(broker(1));
  await b.register(broker(2));
  await a.heartbeat();
  const before = a.generation;
  let changes = 0;
  a.onChange(() => changes++);
  // The process dies: its pool goes away without a clean leave.
  await deadPool.end();
  await a.heartbeat();
  assert.deepEqual(ids(a), [1, 2], "still live within the session timeout");
  assert.equal(changes, 0);
  await sleep(450);
  await a.heartbeat();
  assert.deepEqual(ids(a), [1]);
  assert.ok(a.generation > before);
  assert.equal(changes, 1);
  await a.close();
  await b.close(); // only logs: its pool is gone
});

test("a live broker's node id is refused with a clear message; the live one is unaffected", async () => {
  const url = await freshDatabase();
  const a = await member(url);
  const b = await member(url);
  await a.register(broker(1));
  const generation = a.generation;
  await assert.rejects(b.register(broker(1, 9999)), (e: unknown) => {
    assert.ok(e instanceof DuplicateBrokerError);
    assert.equal(e.nodeId, 1);
    assert.match(e.message, /node\.id 1 is already registered by a live broker/);
    assert.match(e.message, /127\.0\.0\.1:9001/);
    return true;
  });
  await a.heartbeat();
  assert.deepEqual(a.live(), [broker(1)]);
  assert.equal(a.generation, generation);
  await a.close();
});

test("a dead broker's node id is taken over by a new incarnation", async () => {
  const url = await freshDatabase();
  const deadPool = poolOf(url);
  const old = await member(url, 200, deadPool);
  await old.register(broker(1));
  await deadPool.end();
  await sleep(300);
  const next = await member(url);
  await next.register(broker(1, 9555));
  assert.deepEqual(next.live(), [broker(1, 9555)]);
  assert.notEqual(next.incarnation, old.incarnation);
  await next.close();
});

test("close() removes the broker at once and raises the generation", async () => {
  const url = await freshDatabase();
  const a = await member(url);
  const b = await member(url);
  await a.register(broker(1));
  await b.register(broker(2));
  const before = b.generation;
  await a.close();
  await a.close(); // a second close is harmless
  await b.heartbeat();
  assert.deepEqual(ids(b), [2]);
  assert.equal(b.generation, before + 1);
  await b.close();
  const c = await member(url);
  assert.deepEqual(c.live(), []);
});

test("a broker expired while it stalled rejoins on its next heartbeat", async () => {
  const url = await freshDatabase();
  const logger = memoryLogger();
  const a = await openPostgresCluster(poolOf(url), {
    ...MANUAL,
    logger,
    sessionTimeoutMs: 200,
  });
  const b = await member(url);
  await a.register(broker(1));
  await b.register(broker(2));
  await sleep(300);
  await b.heartbeat(); // finds 1 expired
  assert.deepEqual(ids(b), [2]);
  await a.heartbeat();
  assert.deepEqual(ids(a), [1, 2]);
  assert.ok(logger.events.some((e) => e.msg === "rejoined the cluster after being expired"));
  await b.heartbeat();
  assert.equal(b.generation, a.generation);
  await a.close();
  await b.close();
});

test("the timer heartbeats: listeners hear of a join without stepping", async () => {
  const url = await freshDatabase();
  const a = await openPostgresCluster(poolOf(url), {
    heartbeatIntervalMs: 50,
    sessionTimeoutMs: 1000,
    logger: silentLogger,
  });
  await a.register(broker(1));
  const joined = new Promise<void>((resolve) => a.onChange(() => resolve()));
  const b = await member(url);
  await b.register(broker(2));
  await joined;
  assert.deepEqual(ids(a), [1, 2]);
  await a.close();
  await b.close();
});

test("brokers starting at once create the tables once", async () => {
  const url = await freshDatabase();
  const members = await Promise.all([1, 2, 3, 4].map(() => member(url)));
  await Promise.all(members.map((m, i) => m.register(broker(i + 1))));
  const last = members[3];
  assert.ok(last !== undefined);
  await last.heartbeat();
  assert.deepEqual(ids(last), [1, 2, 3, 4]);
  await Promise.all(members.map((m) => m.close()));
});

// Last: it restarts the server the other tests share.
test("a database outage keeps the last view; heartbeats resume once it is back", async () => {
  const url = await freshDatabase();
  const logger = memoryLogger();
  const a = await openPostgresCluster(poolOf(url), { ...MANUAL, logger, sessionTimeoutMs: 60_000 });
  const b = await member(url, 60_000);
  await a.register(broker(1));
  await b.register(broker(2));
  await a.heartbeat();
  const generation = a.generation;
  await server.kill();
  await a.heartbeat();
  assert.deepEqual(ids(a), [1, 2], "the view is kept while the database is away");
  assert.ok(logger.events.some((e) => e.msg === "cluster heartbeat failed"));
  await server.restart();
  // The pool's connections died with the server: the first use of each fails.
  for (let i = 0; i < 5 && !(await heartbeatOk(a, logger)); i++) await sleep(100);
  assert.deepEqual(ids(a), [1, 2]);
  assert.equal(a.generation, generation, "nobody joined, left or expired");
  await a.close();
  await b.close();
});

// Also restarts the server. The bug it pins: the first broker to reach the database after
// an outage longer than the session timeout expired every other broker (none could
// heartbeat), so the generation, the leaders and the group coordinator all moved twice.
test("after a database outage longer than a session, the first broker back expires nobody", async () => {
  const url = await freshDatabase();
  const logger = memoryLogger();
  const session = 400;
  const a = await openPostgresCluster(poolOf(url), {
    ...MANUAL,
    logger,
    sessionTimeoutMs: session,
  });
  const bLogger = memoryLogger();
  const b = await openPostgresCluster(poolOf(url), {
    ...MANUAL,
    logger: bLogger,
    sessionTimeoutMs: session,
  });
  await a.register(broker(1));
  await b.register(broker(2));
  await a.heartbeat();
  const generation = a.generation;
  await server.kill();
  await a.heartbeat();
  await b.heartbeat();
  await sleep(session * 2);
  await server.restart();
  for (let i = 0; i < 5 && !(await heartbeatOk(a, logger)); i++) await sleep(100);
  assert.deepEqual(ids(a), [1, 2], "broker 2, silent only because the database was, stays");
  assert.equal(a.generation, generation, "nobody expired");
  for (let i = 0; i < 5 && !(await heartbeatOk(b, bLogger)); i++) await sleep(100);
  assert.deepEqual(ids(b), [1, 2]);
  // Judging resumes a session after contact: broker 2 now silent for longer is expired.
  await sleep(session * 2);
  await a.heartbeat();
  assert.deepEqual(ids(a), [1], "a broker silent while the database is up still expires");
  assert.ok(a.generation > generation);
  await a.close();
  await b.close();
});

async function heartbeatOk(
  m: PostgresClusterMembership,
  logger: ReturnType<typeof memoryLogger>,
): Promise<boolean> {
  const failures = logger.events.filter((e) => e.msg === "cluster heartbeat failed").length;
  await m.heartbeat();
  return logger.events.filter((e) => e.msg === "cluster heartbeat failed").length === failures;
}
