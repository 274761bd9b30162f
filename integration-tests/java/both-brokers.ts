/**
 * The Java-client tests (integration-tests/java-*.test.ts) run every check twice, on a
 * `logbook start` process and on the reference Kafka, with the same assertions: a
 * difference shows as a failure on Logbook alone. One of each per test file.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type BrokerProcess, removeDir, startBroker } from "../helpers/broker-process.js";
import { GROUP_BROKER } from "../helpers/groups.js";
import { type KafkaProcess, startKafka } from "../helpers/kafka-process.js";

export interface Target {
  readonly name: "logbook" | "kafka";
  readonly bootstrap: string;
  readonly port: number;
}

/** Starts Logbook and Kafka before the file's tests and stops them after. */
export function logbookAndKafka(): {
  check: (name: string, body: (t: Target) => Promise<void>) => void;
} {
  let logbook: BrokerProcess | undefined;
  let kafka: KafkaProcess | undefined;
  before(async () => {
    [logbook, kafka] = await Promise.all([
      startBroker(GROUP_BROKER),
      // Kafka waits 3 s before a new group's first rebalance; Logbook is told not to.
      startKafka({ config: { "group.initial.rebalance.delay.ms": "0" } }),
    ]);
  });
  after(async () => {
    if (logbook?.isAlive()) assert.equal(await logbook.stop(), 0, logbook.stderr());
    if (logbook !== undefined) await removeDir(logbook.dataDir);
    if (kafka !== undefined) await kafka.stop();
  });
  const target = (name: Target["name"]): Target => {
    const b = name === "logbook" ? logbook : kafka;
    assert.ok(b !== undefined, `${name} did not start`);
    return { name, bootstrap: b.bootstrap, port: b.port };
  };
  return {
    check(name, body) {
      for (const n of ["logbook", "kafka"] as const) test(`${name} [${n}]`, () => body(target(n)));
    },
  };
}
