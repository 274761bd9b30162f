/**
 * Runs Kafka's own command-line tools (their main classes) against
 * Logbook and against the reference Kafka side by side, for the kafka-cli-*.test.ts
 * files. Both brokers run as node 1 (Logbook with `-o node.id=1`), so broker ids,
 * leaders and coordinators print the same; what still differs by nature (addresses,
 * topic ids, clock readings) is replaced by placeholders before comparing.
 */
import assert from "node:assert/strict";
import { type BrokerProcess, startBroker } from "./broker-process.js";
import { type KafkaProcess, runKafkaTool, startKafka, type ToolResult } from "./kafka-process.js";

/** The main classes behind the kafka-*.sh scripts of Kafka 4.4. */
export const Tool = {
  topics: "org.apache.kafka.tools.TopicCommand",
  configs: "org.apache.kafka.tools.ConfigCommand",
  consoleProducer: "org.apache.kafka.tools.ConsoleProducer",
  consoleConsumer: "org.apache.kafka.tools.consumer.ConsoleConsumer",
  consumerGroups: "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
  getOffsets: "org.apache.kafka.tools.GetOffsetShell",
  deleteRecords: "org.apache.kafka.tools.DeleteRecordsCommand",
  transactions: "org.apache.kafka.tools.TransactionsCommand",
  features: "org.apache.kafka.tools.FeatureCommand",
  producerPerf: "org.apache.kafka.tools.ProducerPerformance",
  consumerPerf: "org.apache.kafka.tools.ConsumerPerformance",
} as const;

export type Side = "kafka" | "logbook";

export interface Brokers {
  kafka: KafkaProcess;
  logbook: BrokerProcess;
  stop(): Promise<void>;
}

/** One reference Kafka and one Logbook, both node 1, groups rebalancing without delay. */
export async function startBrokers(): Promise<Brokers> {
  const [kafka, logbook] = await Promise.all([
    startKafka({ config: { "group.initial.rebalance.delay.ms": "0" } }),
    startBroker({ args: ["-o", "node.id=1", "-o", "group.initial.rebalance.delay.ms=0"] }),
  ]);
  return {
    kafka,
    logbook,
    async stop() {
      await Promise.all([kafka.stop(), logbook.stop()]);
    },
  };
}

export type Both = Record<Side, ToolResult>;

/** Runs a tool's main class on Kafka's classpath (runKafkaTool with positional options). */
export async function runTool(
  mainClass: string,
  args: readonly string[],
  input = "",
  timeoutMs = 120_000,
): Promise<ToolResult> {
  return runKafkaTool(mainClass, args, { input, timeoutMs });
}

/**
 * Runs one tool against both brokers at once. Each argument "{bootstrap}" becomes the
 * broker's address; `input` is stdin (the same for both, or one per side).
 */
export async function onBoth(
  b: Brokers,
  mainClass: string,
  args: readonly string[],
  input?: string | Record<Side, string>,
): Promise<Both> {
  const run = (side: Side): Promise<ToolResult> => {
    const bootstrap = b[side].bootstrap;
    return runTool(
      mainClass,
      args.map((a) => a.replaceAll("{bootstrap}", bootstrap)),
      typeof input === "object" ? input[side] : input,
    );
  };
  const [kafka, logbook] = await Promise.all([run("kafka"), run("logbook")]);
  return { kafka, logbook };
}

/** Output with what legitimately differs replaced: addresses, topic ids. */
export function normalise(text: string, b: Brokers, side: Side): string {
  return text
    .replaceAll(b[side].bootstrap, "BROKER")
    .replace(/TopicId: [A-Za-z0-9_-]{22}/g, "TopicId: ID")
    .replace(/\s+$/gm, "")
    .trim();
}

/**
 * Both runs exited 0 and printed (after `normalise` and `also`) the same stdout, which
 * is also `expected`; returns it.
 */
export function assertSame(
  r: Both,
  b: Brokers,
  expected: string | RegExp,
  also: (s: string) => string = (s) => s,
): string {
  const out = {} as Record<Side, string>;
  for (const side of ["kafka", "logbook"] as const) {
    assert.equal(r[side].code, 0, `${side} exit code; stderr:\n${r[side].stderr}`);
    out[side] = also(normalise(r[side].stdout, b, side)).trim();
  }
  assert.equal(out.logbook, out.kafka, "Logbook prints what Kafka prints");
  if (typeof expected === "string") assert.equal(out.kafka, expected.trim());
  else assert.match(out.kafka, expected);
  return out.kafka;
}

/** Lines sorted: for outputs whose order follows partitions fetched in parallel. */
export function sortedLines(s: string): string {
  return s.split("\n").sort().join("\n");
}

/** A tool's table as rows of whitespace-separated cells (header row included). */
export function table(s: string): string[][] {
  return s
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => l.trim().split(/\s+/));
}

/** Both runs failed with the same exit code and the same "Error ..." line, `expected`. */
export function assertSameError(r: Both, b: Brokers, expected: string): void {
  const line = {} as Record<Side, string | undefined>;
  for (const side of ["kafka", "logbook"] as const) {
    assert.notEqual(r[side].code, 0, `${side} fails`);
    line[side] = normalise(`${r[side].stdout}\n${r[side].stderr}`, b, side)
      .split("\n")
      .find((l) => l.startsWith("Error"));
  }
  assert.equal(r.logbook.code, r.kafka.code, "same exit code");
  assert.equal(line.logbook, line.kafka, "Logbook's error is Kafka's");
  assert.equal(line.kafka, expected);
}
