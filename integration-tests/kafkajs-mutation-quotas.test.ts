/**
 * controller_mutation_rate with kafkajs, whose CreateTopics (v3 at most) predates
 * THROTTLING_QUOTA_EXCEEDED: with a quota of 10 partitions per second (a burst of 110),
 * creating 120 partitions is accepted and answered with a throttle time, which kafkajs
 * applies on its side (KIP-219: it logs "Client side throttling in effect"); its next
 * creation goes through after it.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  AlterClientQuotasApi,
  createAlterClientQuotasRequest,
  createAlterClientQuotasRequestEntityData,
  createAlterClientQuotasRequestEntryData,
  createAlterClientQuotasRequestOpData,
} from "@logbook/protocol";
import { Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker } from "./helpers/broker-process.js";
import { WireClient } from "./helpers/wire-client.js";

const CLIENT_ID = "kjs-mutations";
let logbook: BrokerProcess | undefined;

before(async () => {
  logbook = await startBroker();
  const c = await WireClient.connect(logbook.port);
  const r = await c.request(
    AlterClientQuotasApi,
    1,
    createAlterClientQuotasRequest({
      validateOnly: false,
      entries: [
        createAlterClientQuotasRequestEntryData({
          entity: [
            createAlterClientQuotasRequestEntityData({
              entityType: "client-id",
              entityName: CLIENT_ID,
            }),
          ],
          ops: [
            createAlterClientQuotasRequestOpData({
              key: "controller_mutation_rate",
              value: 10,
              remove: false,
            }),
          ],
        }),
      ],
    }),
  );
  c.close();
  assert.equal(r.body.entries[0]?.errorCode, 0);
});
after(async () => {
  if (logbook?.isAlive()) assert.equal(await logbook.stop(), 0, logbook.stderr());
  if (logbook !== undefined) await removeDir(logbook.dataDir);
});

test("kafkajs creates past the quota (permissive) and then waits out the throttle", async () => {
  const throttles: number[] = [];
  const kafka = new Kafka({
    clientId: CLIENT_ID,
    brokers: [logbook?.bootstrap ?? ""],
    logLevel: logLevel.DEBUG,
    logCreator:
      () =>
      ({ log }) => {
        const m = /Client side throttling in effect for (\d+)ms/.exec(String(log.message));
        if (m !== null) throttles.push(Number(m[1]));
      },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({
      topics: [{ topic: "kjs-big", numPartitions: 120 }],
    });
    assert.equal(created, true);
    // 10 credits short at 10 per second: about 1 s.
    assert.ok(
      throttles.some((ms) => ms > 0 && ms <= 1000),
      `throttles ${JSON.stringify(throttles)}`,
    );
    await admin.createTopics({ topics: [{ topic: "kjs-small", numPartitions: 1 }] });
    const topics = await admin.listTopics();
    assert.ok(topics.includes("kjs-big") && topics.includes("kjs-small"));
  } finally {
    await admin.disconnect();
  }
});
