/**
 * Connection limits with a real client: kafkajs against a Logbook whose ip default has
 * connection_creation_rate=1 (two 1 s windows). Its second connection, opened right
 * after the first, is held unanswered and closed; kafkajs logs the failure, retries,
 * and its send goes through once the rate allows a new connection.
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

let logbook: BrokerProcess | undefined;
before(async () => {
  logbook = await startBroker({ args: ["-o", "quota.window.num=2"] });
  const c = await WireClient.connect(logbook.port);
  const r = await c.request(
    AlterClientQuotasApi,
    1,
    createAlterClientQuotasRequest({
      validateOnly: false,
      entries: [
        createAlterClientQuotasRequestEntryData({
          entity: [
            createAlterClientQuotasRequestEntityData({ entityType: "ip", entityName: null }),
          ],
          ops: [
            createAlterClientQuotasRequestOpData({
              key: "connection_creation_rate",
              value: 1,
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

test("kafkajs sees a throttled connection closed, retries and gets through", async () => {
  const failures: string[] = [];
  const kafka = new Kafka({
    clientId: "conn-quota",
    brokers: [logbook?.bootstrap ?? ""],
    retry: { initialRetryTime: 300, retries: 20 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ log }) => {
        failures.push(`${log.message} ${typeof log.error === "string" ? log.error : ""}`);
      },
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "conn-quota-t", numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const [sent] = await producer.send({ topic: "conn-quota-t", messages: [{ value: "v" }] });
  await producer.disconnect();
  assert.equal(sent?.errorCode, 0);
  assert.ok(
    failures.some((f) => /closed connection|connection timeout|ECONNRESET/i.test(f)),
    `kafkajs saw no refused connection: ${JSON.stringify(failures)}`,
  );
});
