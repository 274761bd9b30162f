/**
 * The two brokers every column of the interop matrix runs against: a `logbook start`
 * process and the reference Apache Kafka (one single-node KRaft process per test file,
 * helpers/kafka-process.ts), both on free ports with temporary data directories.
 * Kafka gets the settings the scenarios expect of Logbook's group tests: no initial
 * rebalance delay (Kafka's default is 3 s); everything else that clients can observe is
 * Kafka's default.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker } from "../helpers/broker-process.js";
import { GROUP_BROKER } from "../helpers/groups.js";
import { KAFKA_VERSION, type KafkaProcess, startKafka } from "../helpers/kafka-process.js";

export const TARGETS = ["logbook", "kafka"] as const;
export type TargetName = (typeof TARGETS)[number];

export const TARGET_LABEL: Record<TargetName, string> = {
  logbook: "Logbook",
  kafka: `Kafka ${KAFKA_VERSION}`,
};

/** What a scenario needs to know of the broker it talks to (both kinds have it). */
export interface TargetBroker {
  readonly host: string;
  readonly port: number;
  /** "127.0.0.1:PORT", for client bootstrap lists. */
  readonly bootstrap: string;
}

/**
 * Kafka's server.properties for the matrix (on top of kafka-process.ts's single node).
 * One partition for each internal topic instead of 50: they are created on the first
 * group or transaction, and 50 partitions there cost each test file seconds (a single
 * node coordinates them all either way).
 */
export const MATRIX_KAFKA_CONFIG: Record<string, string> = {
  "group.initial.rebalance.delay.ms": "0",
  "offsets.topic.num.partitions": "1",
  "transaction.state.log.num.partitions": "1",
};

export interface Targets {
  logbook: BrokerProcess;
  kafka: KafkaProcess;
}

/**
 * A random cluster id (16 bytes, base64url) that does not start with "-": kafka-storage
 * format would read such an id as an option and refuse to start (1 start in 64).
 */
export function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/** Starts both brokers side by side. */
export async function startTargets(): Promise<Targets> {
  const [logbook, kafka] = await Promise.allSettled([
    startBroker(GROUP_BROKER),
    startKafka({ config: MATRIX_KAFKA_CONFIG, clusterId: clusterId() }),
  ]);
  if (logbook.status === "fulfilled" && kafka.status === "fulfilled")
    return { logbook: logbook.value, kafka: kafka.value };
  // One of them failed: stop the other before reporting.
  if (logbook.status === "fulfilled") {
    await logbook.value.stop();
    await removeDir(logbook.value.dataDir);
  }
  if (kafka.status === "fulfilled") await kafka.value.stop();
  throw logbook.status === "rejected" ? logbook.reason : (kafka as PromiseRejectedResult).reason;
}

/**
 * Stops whichever of the two started (both, even when one misbehaves); then Logbook must
 * have exited 0 and Kafka 143 (its exit on SIGTERM).
 */
export async function stopTargets(t: Partial<Targets>): Promise<void> {
  const b = t.logbook;
  const k = t.kafka;
  const logbookCode = b === undefined ? 0 : b.isAlive() ? await b.stop() : 0;
  if (b !== undefined) await removeDir(b.dataDir);
  const kafkaAlive = k?.isAlive() ?? false;
  const kafkaCode = k === undefined ? 143 : await k.stop();
  assert.equal(logbookCode, 0, b?.stderr());
  if (kafkaAlive)
    assert.equal(kafkaCode, 143, `kafka exits on SIGTERM:\n${k?.stderr().slice(-3000)}`);
}

/** A kafkajs client for set-up and checks (topics, committed offsets) on `broker`. */
export function setupClient(broker: TargetBroker, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}
