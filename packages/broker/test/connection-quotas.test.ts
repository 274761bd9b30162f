/**
 * Connection limits (server/connection-quotas.ts, connection-gate.ts): the decisions
 * with a fake clock (creation-rate delays capped at one window, slots, per-ip counts
 * and overrides, the ip connection_creation_rate throttle that counts nothing, the
 * inter-broker listener's exemption), then real sockets on a real broker: a connection
 * past max.connections.per.ip is closed at once, one past max.connections waits for a
 * slot, one over max.connection.creation.rate is served late, one over its ip's connection_creation_rate is closed unanswered (an ip
 * entity may name a host that resolves, as in Kafka).
 * Only lower bounds are asserted on time.
 */
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { describe, it } from "node:test";
import {
  AlterClientQuotasApi,
  ApiVersionsApi,
  createAlterClientQuotasRequest,
  createAlterClientQuotasRequestEntityData,
  createAlterClientQuotasRequestEntryData,
  createAlterClientQuotasRequestOpData,
  createApiVersionsRequest,
  encodeRequestFrame,
} from "@logbook/protocol";
import {
  type ConnectionLimitConfig,
  ConnectionQuotas,
  normalAddress,
  UNLIMITED,
} from "../src/server/connection-quotas.js";
import { startTestBroker, type TestBroker } from "./helpers/admin-broker.js";

const FREE = { maxConnections: UNLIMITED, maxCreationRate: UNLIMITED };

function limits(over: Partial<ConnectionLimitConfig> = {}): ConnectionLimitConfig {
  return {
    maxConnections: UNLIMITED,
    maxCreationRate: UNLIMITED,
    maxPerIp: UNLIMITED,
    perIpOverrides: new Map(),
    listeners: new Map([["PLAINTEXT", FREE]]),
    interBrokerListener: "PLAINTEXT",
    rate: { samples: 2, windowMs: 1000 },
    ...over,
  };
}

function clocked(
  config: ConnectionLimitConfig,
  ipRate: (a: string) => number | undefined = () => undefined,
) {
  let now = 1_000_000;
  const q = new ConnectionQuotas(config, ipRate, () => now);
  return { q, tick: (ms: number) => (now += ms) };
}

describe("connection quota decisions", () => {
  it("without limits nothing is counted or delayed", () => {
    const { q } = clocked(limits());
    assert.equal(q.limited, false);
    assert.equal(q.recordCreation("PLAINTEXT"), 0);
    assert.deepEqual(q.admit("PLAINTEXT", "10.0.0.1"), { kind: "accept", counted: false });
    assert.equal(q.count, 0);
  });

  it("max.connections.per.ip closes the connection past it; an override has its own count", () => {
    const { q } = clocked(limits({ maxPerIp: 2, perIpOverrides: new Map([["10.0.0.9", 0]]) }));
    assert.equal(q.admit("PLAINTEXT", "10.0.0.1").kind, "accept");
    assert.equal(q.admit("PLAINTEXT", "::ffff:10.0.0.1").kind, "accept", "the same address");
    assert.deepEqual(q.admit("PLAINTEXT", "10.0.0.1"), { kind: "refuse", max: 2 });
    assert.equal(q.admit("PLAINTEXT", "10.0.0.2").kind, "accept");
    assert.deepEqual(q.admit("PLAINTEXT", "10.0.0.9"), { kind: "refuse", max: 0 });
    q.closed("PLAINTEXT", "10.0.0.1");
    assert.equal(q.admit("PLAINTEXT", "10.0.0.1").kind, "accept");
    assert.equal(q.count, 3);
  });

  it("max.connections: no slot until one closes; a listener's own limit too", () => {
    const { q } = clocked(
      limits({
        maxConnections: 2,
        listeners: new Map([
          ["PLAINTEXT", { maxConnections: 1, maxCreationRate: UNLIMITED }],
          ["OTHER", FREE],
        ]),
        interBrokerListener: "INTERNAL",
      }),
    );
    assert.equal(q.slotAvailable("PLAINTEXT"), true);
    q.admit("PLAINTEXT", "10.0.0.1");
    assert.equal(q.slotAvailable("PLAINTEXT"), false, "the listener's limit");
    assert.equal(q.slotAvailable("OTHER"), true);
    q.admit("OTHER", "10.0.0.1");
    assert.equal(q.slotAvailable("OTHER"), false, "the broker's limit");
    let woken = 0;
    const stop = q.onSlotFreed(() => woken++);
    q.closed("PLAINTEXT", "10.0.0.1");
    stop();
    assert.equal(woken, 1);
    assert.equal(q.slotAvailable("PLAINTEXT"), true);
  });

  it("the inter-broker listener is exempt from the broker-wide limits when there are several", () => {
    const { q } = clocked(
      limits({
        maxConnections: 1,
        maxCreationRate: 1,
        listeners: new Map([
          ["PLAINTEXT", { maxConnections: UNLIMITED, maxCreationRate: UNLIMITED }],
          ["INTERNAL", { maxConnections: UNLIMITED, maxCreationRate: UNLIMITED }],
        ]),
        interBrokerListener: "INTERNAL",
      }),
    );
    q.admit("PLAINTEXT", "10.0.0.1");
    assert.equal(q.slotAvailable("PLAINTEXT"), false);
    assert.equal(q.slotAvailable("INTERNAL"), true);
    for (let i = 0; i < 5; i++) assert.equal(q.recordCreation("INTERNAL"), 0);
  });

  it("max.connection.creation.rate delays acceptance by the time to get back under, at most one window", () => {
    const { q, tick } = clocked(limits({ maxCreationRate: 2 }));
    assert.equal(q.recordCreation("PLAINTEXT"), 0);
    assert.equal(q.recordCreation("PLAINTEXT"), 0);
    // 3 in a window of at least 1 s: (3 - 2) / 2 x 1000.
    assert.equal(q.recordCreation("PLAINTEXT"), 500);
    assert.equal(q.recordCreation("PLAINTEXT"), 1000);
    assert.equal(q.recordCreation("PLAINTEXT"), 1000, "capped at one window");
    tick(5000);
    assert.equal(q.recordCreation("PLAINTEXT"), 0);
  });

  it("an ip's connection_creation_rate closes after the throttle and counts nothing", () => {
    const rates = new Map([["10.0.0.1", 1]]);
    const { q } = clocked(limits({ maxPerIp: 100 }), (a) => rates.get(a));
    assert.equal(q.admit("PLAINTEXT", "10.0.0.1").kind, "accept");
    assert.deepEqual(q.admit("PLAINTEXT", "10.0.0.1"), { kind: "throttle", ms: 1000 });
    assert.equal(q.count, 1, "the throttled one is not counted");
    // Not recorded either: the rate is still 1, so the next one is throttled the same.
    assert.deepEqual(q.admit("PLAINTEXT", "10.0.0.1"), { kind: "throttle", ms: 1000 });
    assert.equal(q.admit("PLAINTEXT", "10.0.0.2").kind, "accept", "another address");
  });

  it("addresses compare as Kafka's InetAddress: IPv4-mapped IPv6 is IPv4", () => {
    assert.equal(normalAddress("::ffff:127.0.0.1"), "127.0.0.1");
    assert.equal(normalAddress("::1"), "::1");
  });
});

/** A raw connection that reports when the broker closes it and the first frame it gets. */
function openSocket(port: number): Promise<{
  socket: Socket;
  closed: Promise<number>;
  firstData: Promise<number>;
}> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1" }, () => {
      socket.off("error", reject);
      const closed = new Promise<number>((r) => socket.once("close", () => r(Date.now())));
      const firstData = new Promise<number>((r) => socket.once("data", () => r(Date.now())));
      socket.on("error", () => undefined);
      resolve({ socket, closed, firstData });
    });
    socket.once("error", reject);
  });
}

function apiVersions(socket: Socket): void {
  socket.write(
    encodeRequestFrame(
      ApiVersionsApi,
      3,
      { correlationId: 1, clientId: "limits" },
      createApiVersionsRequest({ clientSoftwareName: "t", clientSoftwareVersion: "1" }),
    ),
  );
}

async function withBroker(
  overrides: Parameters<typeof startTestBroker>[0],
  run: (b: TestBroker) => Promise<void>,
) {
  const b = await startTestBroker(overrides);
  try {
    await run(b);
  } finally {
    await b.stop();
  }
}

function setIpQuota(b: TestBroker, name: string | null, rate: number, validateOnly = false) {
  return b.client.send(
    AlterClientQuotasApi,
    1,
    createAlterClientQuotasRequest({
      validateOnly,
      entries: [
        createAlterClientQuotasRequestEntryData({
          entity: [
            createAlterClientQuotasRequestEntityData({ entityType: "ip", entityName: name }),
          ],
          ops: [
            createAlterClientQuotasRequestOpData({
              key: "connection_creation_rate",
              value: rate,
              remove: false,
            }),
          ],
        }),
      ],
    }),
  );
}

/** Whether a new connection is served (answers ApiVersions) or closed unanswered. */
async function served(port: number): Promise<boolean> {
  const s = await openSocket(port);
  apiVersions(s.socket);
  const answer = await Promise.race([s.firstData.then(() => true), s.closed.then(() => false)]);
  s.socket.destroy();
  return answer;
}

describe("connection limits on real sockets", () => {
  it("a connection past max.connections.per.ip is closed at once; one within is served", () =>
    // The test broker's own client is the first of the two.
    withBroker({ maxConnectionsPerIp: 2 }, async (b) => {
      const second = await openSocket(b.port);
      const third = await openSocket(b.port);
      await third.closed;
      apiVersions(second.socket);
      await second.firstData;
      second.socket.destroy();
      // Its slot is free again once the broker has seen it close.
      for (;;) {
        const again = await openSocket(b.port);
        apiVersions(again.socket);
        const served = await Promise.race([
          again.firstData.then(() => true),
          again.closed.then(() => false),
        ]);
        again.socket.destroy();
        if (served) break;
      }
    }));

  it("past max.connections a new connection waits, and is served once one closes", () =>
    // The test broker's own client is the first of the two.
    withBroker({ maxConnections: 2 }, async (b) => {
      const second = await openSocket(b.port);
      const third = await openSocket(b.port);
      let answered = false;
      third.firstData.then(() => {
        answered = true;
      });
      apiVersions(third.socket);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(answered, false, "no slot: the third connection is not served yet");
      second.socket.destroy();
      await third.firstData;
      // A waiting connection the client resets does not bring the broker down.
      const reset = await openSocket(b.port);
      reset.socket.resetAndDestroy();
      await reset.closed;
      third.socket.destroy();
      assert.equal(await served(b.port), true);
    }));

  it("a connection over max.connection.creation.rate is served after the delay", () =>
    // Two 1 s windows: the test client's connection fills the rate of 1 per second.
    withBroker({ maxConnectionCreationRate: 1, quotaWindowNum: 2 }, async (b) => {
      const started = Date.now();
      const late = await openSocket(b.port);
      apiVersions(late.socket);
      const answered = await late.firstData;
      // (2 - 1) / 1 x 1 s, less the time since the first connection: generous bound.
      assert.ok(answered - started >= 400, `answered after ${answered - started} ms`);
      late.socket.destroy();
    }));

  it("a connection over its ip's connection_creation_rate is closed unanswered after the throttle", () =>
    withBroker({ quotaWindowNum: 2 }, async (b) => {
      const r = await setIpQuota(b, null, 1);
      assert.equal(r.entries[0]?.errorCode, 0);
      const first = await openSocket(b.port);
      const started = Date.now();
      const second = await openSocket(b.port);
      let answered = false;
      second.firstData.then(() => {
        answered = true;
      });
      apiVersions(second.socket);
      const closedAt = await second.closed;
      assert.equal(answered, false, "no answer on a throttled connection");
      assert.ok(closedAt - started >= 400, `closed after ${closedAt - started} ms`);
      first.socket.destroy();
    }));

  it("an ip entity named by a resolvable host name is accepted and applies to its addresses", () =>
    withBroker({ quotaWindowNum: 2 }, async (b) => {
      const bad = await setIpQuota(b, "no-such-host.invalid", 1);
      assert.deepEqual(
        [bad.entries[0]?.errorCode, bad.entries[0]?.errorMessage],
        [42, "no-such-host.invalid is not a valid IP or resolvable host."],
      );
      const r = await setIpQuota(b, "localhost", 1);
      assert.equal(r.entries[0]?.errorCode, 0);
      // The name is resolved in the background from the first connection on: within a
      // few connections, two in a row exceed 1 per second and the second is closed.
      let throttled = false;
      for (let i = 0; i < 20 && !throttled; i++) throttled = !(await served(b.port));
      assert.ok(throttled, "a connection from 127.0.0.1 was throttled by the localhost quota");
    }));
});
