/**
 * The failure policy end to end, with real clients against a real `logbook start`
 * process whose LOGBOOK_FAIL_NEXT test hook makes the next requests of an API throw
 * inside their handlers: the client gets UNKNOWN_SERVER_ERROR (or retries past it),
 * the broker logs the error with its stack, and the connection stays open.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker } from "./helpers/broker-process.js";
import { JAVA_CHECKS_CLIENT, runJava } from "./java/java-driver.js";

interface LogLine {
  level: string;
  msg: string;
  api?: string;
  stack?: string;
  reason?: string;
}

function logLines(b: BrokerProcess): LogLine[] {
  return b
    .stderr()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as LogLine);
}

/** The injected failures were logged with their stacks, and no connection was closed. */
function assertLoggedAndKept(b: BrokerProcess, apis: string[]): void {
  const lines = logLines(b);
  for (const api of apis) {
    const failed = lines.find((l) => l.level === "error" && l.api === api);
    assert.ok(failed, `the ${api} failure is logged`);
    assert.match(String(failed.stack), /failed on purpose \(LOGBOOK_FAIL_NEXT\)\n\s+at /);
  }
  const closes = lines.filter((l) => l.msg.startsWith("closing connection"));
  assert.deepEqual(closes, [], "no connection was closed by the broker");
}

async function withBroker(failNext: string, run: (b: BrokerProcess) => Promise<void>) {
  const b = await startBroker({ env: { LOGBOOK_FAIL_NEXT: failNext } });
  try {
    await run(b);
  } finally {
    if (b.isAlive()) assert.equal(await b.stop(), 0);
    await removeDir(b.dataDir);
  }
}

test("kafkajs: a Produce that throws is answered UNKNOWN_SERVER_ERROR, and the same producer goes on", async () => {
  await withBroker("0:1", async (b) => {
    const kafka = new Kafka({
      clientId: "failure-policy",
      brokers: [b.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "fp", numPartitions: 1 }] });
    const producer = kafka.producer();
    await producer.connect();
    const failure = await producer.send({ topic: "fp", messages: [{ value: "lost" }] }).then(
      () => null,
      (e: unknown) => e as { type?: string; code?: number },
    );
    // kafkajs names code -1 (UNKNOWN_SERVER_ERROR) "UNKNOWN".
    assert.deepEqual([failure?.code, failure?.type], [-1, "UNKNOWN"]);
    const [sent] = await producer.send({ topic: "fp", messages: [{ value: "kept" }] });
    assert.equal(sent?.errorCode, 0);
    assert.equal(sent?.baseOffset, "0", "the failed Produce stored nothing");
    const offsets = await admin.fetchTopicOffsets("fp");
    assert.equal(offsets[0]?.high, "1");
    await producer.disconnect();
    await admin.disconnect();
    assertLoggedAndKept(b, ["Produce"]);
  });
});

test("Java client: the first send fails with the broker's error, the next works, a consumer reads past a failed Fetch", async () => {
  await withBroker("0:1,1:1", async (b) => {
    const r = await runJava(JAVA_CHECKS_CLIENT, "FailureChecks", [b.bootstrap, "fp-java"]);
    assert.deepEqual(r, { first: "UnknownServerException", second: "none", read: ["kept"] });
    assertLoggedAndKept(b, ["Produce", "Fetch"]);
  });
});
