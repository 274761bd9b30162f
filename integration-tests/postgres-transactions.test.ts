/**
 * Transactions across brokers that share one PostgreSQL (#17): the transaction
 * coordinator (the leader of `__transaction_state`/0, the broker that also coordinates
 * groups) and the leaders of a transaction's partitions are different brokers. The
 * leaders check transactional batches against the shared `__transaction_state`, and
 * the coordinator sends each leader its markers (WriteTxnMarkers), so read_committed
 * consumers see whole transactions only, with kafkajs, the Java client and librdkafka.
 * Then the coordinator's broker is killed in the middle of transactions (a kafkajs
 * transaction left open; Java and librdkafka loops of transactions over every partition):
 * the broker that takes over completes or aborts each, whole, and nothing is left hanging.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Kafka } from "kafkajs";
import { PostgresServer } from "../scripts/postgres/server.js";
import type { BrokerProcess } from "./helpers/broker-process.js";
import { PYTHON, requirePythonModule } from "./helpers/groups.js";
import {
  clusterClient,
  coordinatorNode,
  leadersOf,
  startClusterNode,
} from "./helpers/postgres-cluster.js";
import { runDriver } from "./interop/driven.js";
import { checkTransactions, createTopics } from "./interop/scenarios.js";
import { JAVA_CHECKS_CLIENT, runJava } from "./java/java-driver.js";

const PARTITIONS = 6;

/** What a client's transaction loop reports (TxnFailover.java, txn_failover_confluent.py). */
interface TxnOutcome {
  committed: number[];
  uncertain: number[];
  errors: string[];
}

let pg: PostgresServer;
let url: string;
const brokers: BrokerProcess[] = [];

// Open transactions past their timeout are aborted within a second of it.
const startNode = (nodeId: number) =>
  startClusterNode(url, nodeId, {}, [
    "transaction.abort.timed.out.transaction.cleanup.interval.ms=500",
  ]);

const live = () => brokers.filter((b) => b.isAlive());
const kafka = (clientId: string) => clusterClient(live(), clientId, 20);

async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every value of the topic a read_committed consumer reads, once it has read `until` records. */
async function readCommitted(k: Kafka, topic: string, until: (values: string[]) => boolean) {
  const consumer = k.consumer({ groupId: `reader-${topic}-${Date.now()}`, readUncommitted: false });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done: () => void = () => {};
    const finished = new Promise<void>((r) => {
      done = r;
    });
    await consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value?.toString() ?? "");
        if (until(values)) done();
      },
    });
    await Promise.race([
      finished,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`read only ${JSON.stringify(values)}`)), 60_000),
      ),
    ]);
  } finally {
    await consumer.disconnect();
  }
  return values.sort();
}

/** A new topic whose partitions are led by more than one broker, some not the coordinator. */
async function spreadTopic(name: string, partitions = PARTITIONS): Promise<string> {
  const k = kafka("spread");
  const coordinator = await coordinatorNode(live()[0] as BrokerProcess);
  for (let i = 0; ; i++) {
    const topic = `${name}-${i}`;
    await createTopics(k, [{ topic, numPartitions: partitions }]);
    const leaders = await leadersOf(k, topic);
    if (leaders.some((l) => l !== coordinator)) return topic;
  }
}

before(async () => {
  pg = await PostgresServer.start();
  url = await pg.createDatabase("txn_cluster");
  for (const id of [1, 2, 3]) brokers.push(await startNode(id));
});

after(async () => {
  for (const b of brokers) if (b.isAlive()) await b.stop();
  await pg?.stop();
});

describe("transactions across three brokers over one PostgreSQL", () => {
  test("kafkajs: one transaction over partitions led by different brokers commits or aborts as one, with its offsets", async () => {
    const topic = await spreadTopic("kjs-txn");
    const k = kafka("kjs-txn");
    const producer = k.producer({
      transactionalId: "kjs-txn",
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const send = async (prefix: string, commit: boolean, offsets = false) => {
      const txn = await producer.transaction();
      for (let p = 0; p < PARTITIONS; p++)
        await txn.send({ topic, messages: [{ partition: p, value: `${prefix}-${p}` }] });
      if (offsets)
        await txn.sendOffsets({
          consumerGroupId: "kjs-txn-group",
          topics: [{ topic, partitions: [{ partition: 0, offset: "7" }] }],
        });
      if (commit) await txn.commit();
      else await txn.abort();
    };
    await send("c", true);
    await send("a", false, true);
    await send("e", true, true);
    await producer.disconnect();

    const values = await readCommitted(
      k,
      topic,
      (v) => v.filter((x) => x.startsWith("e-")).length === PARTITIONS,
    );
    const expected = [0, 1, 2, 3, 4, 5].flatMap((p) => [`c-${p}`, `e-${p}`]).sort();
    assert.deepEqual(values, expected, "only the committed transactions, whole");

    const admin = k.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId: "kjs-txn-group", topics: [topic] });
      const p0 = committed?.partitions.find((p) => p.partition === 0);
      assert.equal(p0?.offset, "7", "the committed transaction's offsets are the group's");
    } finally {
      await admin.disconnect();
    }
  });

  const clients: {
    name: string;
    run: (b: BrokerProcess, topic: string) => Promise<unknown>;
  }[] = [
    {
      name: `Java kafka-clients ${JAVA_CHECKS_CLIENT}`,
      run: (b, topic) =>
        runJava(JAVA_CHECKS_CLIENT, "Scenarios", ["transactions", b.bootstrap, topic]),
    },
    {
      name: "librdkafka (confluent-kafka-python)",
      run: (b, topic) => {
        requirePythonModule("confluent_kafka");
        const driver = join(import.meta.dirname, "interop/drivers/confluent_scenarios.py");
        return runDriver("confluent_scenarios.py", PYTHON, [
          driver,
          "transactions",
          b.bootstrap,
          topic,
        ]);
      },
    },
  ];
  for (const c of clients)
    test(`${c.name}: transactions whose partition another broker than the coordinator leads`, async () => {
      const k = kafka("scenario");
      const coordinator = await coordinatorNode(live()[0] as BrokerProcess);
      // The scenario writes partition 0: a topic whose partition 0 is led elsewhere.
      let topic = "";
      for (let i = 0; topic === ""; i++) {
        const name = `${c.name.split(" ")[0]}-txn-${i}`.toLowerCase();
        await createTopics(k, [{ topic: name, numPartitions: 1 }]);
        if ((await leadersOf(k, name))[0] !== coordinator) topic = name;
      }
      const b = live()[0] as BrokerProcess;
      const values = (await c.run(b, topic)) as string[];
      await checkTransactions(values, b, topic, true);
    });

  /**
   * A client runs transactions over every partition while the coordinator's broker is
   * killed: a committed transaction is visible whole, an uncertain one whole or not at
   * all, an aborted one not at all, and read_committed reads on past all of them.
   */
  async function coordinatorKilledUnder(
    name: string,
    drive: (servers: string, topic: string) => Promise<TxnOutcome>,
  ): Promise<void> {
    const topic = await spreadTopic(name);
    const coordinator = await coordinatorNode(live()[0] as BrokerProcess);
    const outcome = drive(
      live()
        .map((b) => b.bootstrap)
        .join(","),
      topic,
    );
    await new Promise((r) => setTimeout(r, 3000));
    const victim = brokers.find((b) => b.isAlive() && brokerId(b) === coordinator);
    assert.ok(victim !== undefined, `broker ${coordinator} is one of ours`);
    process.kill(victim.pid, "SIGKILL");
    await victim.exited;
    const r = await outcome;
    brokers[brokers.indexOf(victim)] = await startNode(brokerId(victim));
    assert.ok(r.committed.length >= 3, `transactions committed: ${JSON.stringify(r)}`);

    const k = kafka(`${name}-after`);
    const after = k.producer({ idempotent: true });
    await after.connect();
    for (let p = 0; p < PARTITIONS; p++)
      await after.send({ topic, acks: -1, messages: [{ partition: p, value: `after-${p}` }] });
    await after.disconnect();
    const values = await readCommitted(
      k,
      topic,
      (v) => v.filter((x) => x.startsWith("after-")).length === PARTITIONS,
    );
    const seen = new Map<number, number>();
    for (const v of values) {
      const m = /^t(\d+)-\d+$/.exec(v);
      if (m !== null) seen.set(Number(m[1]), (seen.get(Number(m[1])) ?? 0) + 1);
    }
    for (const n of r.committed) assert.equal(seen.get(n), PARTITIONS, `committed t${n} whole`);
    const known = new Set([...r.committed, ...r.uncertain]);
    for (const [n, count] of seen) {
      assert.equal(count, PARTITIONS, `t${n} whole or not at all`);
      assert.ok(known.has(n), `t${n} was committed or uncertain, not aborted`);
    }
  }

  test(`Java kafka-clients ${JAVA_CHECKS_CLIENT}: transactions running while the coordinator's broker is killed`, () =>
    coordinatorKilledUnder(
      "java-kill",
      async (servers, topic) =>
        (await runJava(
          JAVA_CHECKS_CLIENT,
          "TxnFailover",
          [servers, topic, String(PARTITIONS), "10"],
          120_000,
        )) as TxnOutcome,
    ));

  test("librdkafka: transactions running while the coordinator's broker is killed", () => {
    requirePythonModule("confluent_kafka");
    const driver = join(import.meta.dirname, "python/txn_failover_confluent.py");
    return coordinatorKilledUnder(
      "rdkafka-kill",
      async (servers, topic) =>
        (await runDriver(
          "txn_failover_confluent.py",
          PYTHON,
          [driver, servers, topic, String(PARTITIONS), "10"],
          120_000,
        )) as TxnOutcome,
    );
  });

  // Last: it kills a broker.
  test("the coordinator's broker killed in the middle of a transaction: another completes or aborts it", async () => {
    const topic = await spreadTopic("kill-txn");
    const k = kafka("kill-txn");
    const coordinator = await coordinatorNode(live()[0] as BrokerProcess);
    const producer = k.producer({
      transactionalId: "kill-txn",
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 3000,
    });
    await producer.connect();
    const txn = await producer.transaction();
    for (let p = 0; p < PARTITIONS; p++)
      await txn.send({ topic, messages: [{ partition: p, value: `t-${p}` }] });
    const victim = brokers.find((b) => b.isAlive() && brokerId(b) === coordinator);
    assert.ok(victim !== undefined, `broker ${coordinator} is one of ours`);
    process.kill(victim.pid, "SIGKILL");
    await victim.exited;
    // The commit may reach the new coordinator (all of it visible) or not (the
    // transaction times out and is aborted): either way, whole.
    const committed = await txn.commit().then(
      () => true,
      () => false,
    );
    await producer.disconnect().catch(() => {});

    const k2 = kafka("kill-txn-after");
    const after = k2.producer({ idempotent: true });
    await after.connect();
    for (let p = 0; p < PARTITIONS; p++)
      await after.send({ topic, acks: -1, messages: [{ partition: p, value: `after-${p}` }] });
    await after.disconnect();
    // read_committed reads past the transaction only once its markers are everywhere.
    const values = await readCommitted(
      k2,
      topic,
      (v) => v.filter((x) => x.startsWith("after-")).length === PARTITIONS,
    );
    const inTxn = values.filter((v) => v.startsWith("t-"));
    assert.ok(
      inTxn.length === 0 || inTxn.length === PARTITIONS,
      `all of the transaction or none (${inTxn.join(",")})`,
    );
    if (committed) assert.equal(inTxn.length, PARTITIONS, "a commit that was answered is visible");

    await eventually(async () => {
      const now = await coordinatorNode(live()[0] as BrokerProcess);
      return now !== coordinator ? now : undefined;
    }, "another broker coordinates");
    const i = brokers.indexOf(victim);
    brokers[i] = await startNode(i + 1);
  });
});

/** The node id a broker of this file runs as (started in order 1, 2, 3). */
function brokerId(b: BrokerProcess): number {
  return brokers.indexOf(b) + 1;
}
