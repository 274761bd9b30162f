/**
 * The load the PostgreSQL cluster tests run while they break things (brokers killed, the
 * database restarted), and the checks of what it left behind: numbered values "v-N"
 * produced by an idempotent producer (acks=all), read by a two-member group, then the
 * whole topic read back and compared with what the client was told.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { type ErrorName, errorByCode, KafkaErrors } from "@logbook/protocol";
import { type Consumer, type Kafka, type logCreator, logLevel } from "kafkajs";
import type { BrokerProcess } from "./broker-process.js";
import { fetchAll } from "./wire-data.js";

/** What a client reports: values acknowledged (in order), those its group never read, errors. */
export interface LoadOutcome {
  acked: string[];
  unseen: string[];
  /** What the client was told went wrong (Kafka error names, or the client's exception names). */
  errors?: string[];
}

/**
 * The key of value "v-N": "k-(N mod keys)", or the value itself when `keys` is 0, so a
 * check can tell every value's key without the client reporting it.
 */
export function keyOfValue(value: string, keys: number): string {
  return keys === 0 ? value : `k-${Number(value.slice(2)) % keys}`;
}

export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  ms = 60_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Reads every partition of `topic` through `broker` and checks it against `acked`: every
 * acknowledged value is there, no value is there twice, and (with `keys`) each key's
 * acknowledged values are in the log in the order they were acknowledged.
 */
export async function checkLog(
  broker: Pick<BrokerProcess, "port">,
  topic: string,
  partitions: number,
  acked: readonly string[],
  keys = 0,
): Promise<void> {
  const counts = new Map<string, number>();
  const ackedSet = new Set(acked);
  const loggedByKey = new Map<string, string[]>();
  for (let p = 0; p < partitions; p++) {
    const { records } = await fetchAll(broker.port, topic, p);
    for (const r of records) {
      const v = r.value ?? "";
      counts.set(v, (counts.get(v) ?? 0) + 1);
      if (!ackedSet.has(v)) continue; // unacknowledged values may or may not be stored
      const key = keyOfValue(v, keys);
      assert.equal(r.key, key, `value ${v} is stored under its key`);
      loggedByKey.set(key, [...(loggedByKey.get(key) ?? []), v]);
    }
  }
  assert.deepEqual(
    acked.filter((v) => !counts.has(v)),
    [],
    "no acknowledged record is lost",
  );
  assert.deepEqual(
    [...counts].filter(([, n]) => n > 1),
    [],
    "no record is stored twice (idempotence held)",
  );
  if (keys === 0) return;
  const ackedByKey = new Map<string, string[]>();
  for (const v of acked) {
    const key = keyOfValue(v, keys);
    ackedByKey.set(key, [...(ackedByKey.get(key) ?? []), v]);
  }
  for (const [key, order] of ackedByKey)
    assert.deepEqual(loggedByKey.get(key), order, `key ${key}: log order = acknowledgement order`);
}

/** Waits until `group` has committed the end of every partition of `topic`. */
export async function waitCommittedToEnd(kafka: Kafka, topic: string, group: string) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    await waitUntil(async () => {
      const committed = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      const byPartition = new Map(
        (committed[0]?.partitions ?? []).map((p) => [p.partition, p.offset]),
      );
      return ends.every((e) => byPartition.get(e.partition) === e.high);
    }, "committed offsets reach the end of every partition");
  } finally {
    await admin.disconnect();
  }
}

interface KafkajsErrorCode {
  code: number;
  message: string;
}
/** kafkajs's table of Kafka errors: its logs carry an error's message, not its name. */
const kafkajsErrorCodes = (
  createRequire(import.meta.url)("kafkajs/src/protocol/error.js") as {
    errorCodes: KafkajsErrorCode[];
  }
).errorCodes;

/**
 * A kafkajs logCreator that records the Kafka error of every failed response (kafkajs logs
 * one per response carrying an error) by Kafka's name for it, or "unknown: MESSAGE".
 */
export function recordingResponseErrors(into: string[]): logCreator {
  return () =>
    ({ level, log }) => {
      if (level !== logLevel.ERROR || !log.message.startsWith("Response ")) return;
      const message = String(log.error ?? "");
      const known = kafkajsErrorCodes.find((e) => e.message === message);
      const name = known === undefined ? undefined : errorByCode(known.code)?.name;
      into.push(name ?? `unknown: ${message}`);
    };
}

/**
 * Group errors that are how a rebalance is announced: not retriable in Kafka's table, but
 * every client rejoins on them (the Java client reports them on a commit as a
 * CommitFailedException).
 */
const REJOIN: ReadonlySet<string> = new Set([
  "ILLEGAL_GENERATION",
  "UNKNOWN_MEMBER_ID",
  "REBALANCE_IN_PROGRESS",
  "CommitFailedException",
]);

/**
 * The errors failover_confluent.py reports, with "kafka:CODE" named as in Kafka's table.
 * librdkafka's own errors stay as the script names them.
 */
export function namedLibrdkafkaErrors(errors: readonly string[]): string[] {
  return errors.map((e) => {
    const code = /^kafka:(-?\d+)$/.exec(e)?.[1];
    return code === undefined ? e : (errorByCode(Number(code))?.name ?? e);
  });
}

/**
 * Whether an error a client saw is one it is expected to ride out: retriable per Kafka's
 * error table (a lost connection is NETWORK_EXCEPTION), a group member told to rejoin, or
 * one of librdkafka's own errors that it retries or recovers from by itself.
 */
export function riddenOut(error: string): boolean {
  if (REJOIN.has(error) || error.startsWith("librdkafka-retriable:")) return true;
  if (error in KafkaErrors) return KafkaErrors[error as ErrorName].retriable;
  return false;
}

/**
 * The Kafka error behind a kafkajs exception (through the retry wrapper's cause): its name
 * in Kafka's table,
 * NETWORK_EXCEPTION for a lost connection, REQUEST_TIMED_OUT for a request that timed out.
 */
export function kafkajsErrorName(e: unknown): string {
  for (let cause = e; cause instanceof Error; ) {
    const { code, originalError } = cause as Error & { code?: unknown; originalError?: unknown };
    const known = typeof code === "number" ? errorByCode(code) : undefined;
    if (known !== undefined) return known.name;
    if (cause.name === "KafkaJSConnectionError" || cause.name === "KafkaJSConnectionClosedError")
      return "NETWORK_EXCEPTION";
    if (cause.name === "KafkaJSRequestTimeoutError") return "REQUEST_TIMED_OUT";
    cause = originalError ?? cause.cause;
  }
  return `${e instanceof Error ? e.name : "thrown"}: ${String(e)}`;
}

export interface KafkajsLoadOptions {
  /** Makes a client (each producer and member gets its own). */
  kafka: (clientId: string) => Kafka;
  topic: string;
  group: string;
  seconds: number;
  /** Keys as keyOfValue makes them (0: each value its own key). */
  keys?: number;
  /** When given, errors are recorded here instead of failing the run. */
  errors?: string[];
}

/**
 * The load with kafkajs, in this process: sends of 10 values (awaited, so acknowledgement
 * order is send order) for `seconds`, and a two-member group committing every 200 ms.
 */
export async function kafkajsLoad(o: KafkajsLoadOptions): Promise<LoadOutcome> {
  const acked: string[] = [];
  const seen = new Set<string>();
  const consumers: Consumer[] = [];
  const keys = o.keys ?? 0;
  // Connected first: a connect attempted while a bootstrap broker is being killed fails.
  const producer = o.kafka("producer").producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (const name of ["a", "b"]) {
    const consumer = o.kafka(`member-${name}`).consumer({
      groupId: o.group,
      sessionTimeout: 10_000,
      heartbeatInterval: 500,
      retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    if (o.errors !== undefined) {
      const errors = o.errors;
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        // A crash kafkajs restarts from is a retry; one it does not is the group giving up.
        const error = kafkajsErrorName(payload.error);
        errors.push(payload.restart ? error : `consumer stopped: ${error}`);
      });
    }
    await consumer.connect();
    await consumer.subscribe({ topic: o.topic, fromBeginning: true });
    await consumer.run({
      autoCommitInterval: 200,
      eachMessage: async ({ message }) => {
        seen.add(message.value?.toString() ?? "");
      },
    });
    consumers.push(consumer);
  }
  const until = Date.now() + o.seconds * 1000;
  for (let n = 0; Date.now() < until; n += 10) {
    const values = Array.from({ length: 10 }, (_, i) => `v-${n + i}`);
    try {
      await producer.send({
        topic: o.topic,
        acks: -1,
        messages: values.map((v) => ({ key: keyOfValue(v, keys), value: v })),
      });
      acked.push(...values);
    } catch (e) {
      // Those values are simply not acknowledged (never sent again, which could store them
      // twice by the client's own doing).
      if (o.errors !== undefined) o.errors.push(kafkajsErrorName(e));
      // kafkajs gives up on a send when a broker it knew refuses connections (one just
      // restarted) instead of retrying.
      else if (!(e instanceof Error && /ECONNREFUSED|Connection error/.test(e.message))) throw e;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  await producer.disconnect();
  await waitUntil(
    () => acked.every((v) => seen.has(v)),
    "kafkajs's group reading everything",
  ).catch(() => {});
  // Offsets reach the broker on the next auto-commit.
  await new Promise((r) => setTimeout(r, 1000));
  for (const c of consumers) await c.disconnect();
  const unseen = acked.filter((v) => !seen.has(v));
  return { acked, unseen, ...(o.errors === undefined ? {} : { errors: o.errors }) };
}
