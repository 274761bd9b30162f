/**
 * The `logbook` client commands (topic, cluster) run as a user would, each against
 * Logbook and against the reference Kafka: the same output where the brokers agree
 * (addresses, ids and sizes aside), Kafka's error names where they refuse, and exit codes
 * a script can rely on (0 done, 1 refused, 2 usage, 3 unreachable).
 */
import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { runCli } from "./helpers/broker-process.js";
import { type Brokers, type Side, startBrokers } from "./helpers/kafka-cli.js";
import { cliOn, NO_PROFILES, SIDES } from "./helpers/logbook-cli.js";
import type { ProcessResult } from "./helpers/run-process.js";

let b: Brokers;
before(async () => {
  b = await startBrokers();
});
after(async () => {
  await b?.stop();
});

function cli(side: Side, args: string[], env: Record<string, string> = {}): Promise<ProcessResult> {
  return cliOn(b, side, args, { env });
}

/** Runs on both brokers; each must exit with `code`; returns stdout per side, addresses replaced. */
async function both(args: string[], code = 0): Promise<Record<Side, string>> {
  const out = {} as Record<Side, string>;
  const runs = await Promise.all(SIDES.map((s) => cli(s, args)));
  SIDES.forEach((side, i) => {
    const r = runs[i] as ProcessResult;
    assert.equal(
      r.code,
      code,
      `${side}: logbook ${args.join(" ")} exit code; stdout: ${r.stdout}; stderr: ${r.stderr}`,
    );
    out[side] = r.stdout.replaceAll(String(b[side].port), "PORT").trimEnd();
  });
  return out;
}

async function same(args: string[], expected: string, code = 0): Promise<void> {
  const out = await both(args, code);
  assert.equal(out.logbook, out.kafka, "Logbook prints what Kafka prints");
  assert.equal(out.kafka, expected);
}

async function produce(side: Side, topic: string, partition: number, n: number): Promise<void> {
  const p = new Kafka({ brokers: [b[side].bootstrap], logLevel: logLevel.NOTHING }).producer();
  await p.connect();
  await p.send({
    topic,
    messages: Array.from({ length: n }, (_, i) => ({ partition, value: `v${i}` })),
  });
  await p.disconnect();
}

interface DescribeJson {
  name: string;
  partitions: {
    partition: number;
    logStartOffset: number;
    highWatermark: number;
    sizeBytes: number | null;
  }[];
  configs: { name: string; value: string | null; source: string }[];
}

async function describeJson(side: Side, topic: string): Promise<DescribeJson> {
  const r = await cli(side, ["topic", "describe", topic, "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as DescribeJson;
}

test("topic create, list, describe, alter-config, add-partitions, trim and delete agree with Kafka", async () => {
  await same(
    ["topic", "create", "cli-orders", "-p", "3", "-r", "1", "-c", "retention.ms=3600000"],
    "TOPIC       STATUS\ncli-orders  OK",
  );
  await same(
    ["topic", "create", "cli-orders"],
    "TOPIC       STATUS                MESSAGE\ncli-orders  TOPIC_ALREADY_EXISTS  Topic 'cli-orders' already exists.",
    1,
  );
  await same(["topic", "list"], "NAME        PARTITIONS  REPLICAS\ncli-orders  3           1");

  await Promise.all(SIDES.map((s) => produce(s, "cli-orders", 0, 5)));
  const described = await both(["topic", "describe", "cli-orders"]);
  for (const side of SIDES) {
    const text = described[side];
    assert.match(
      text,
      /^SUMMARY\n=======\nname {8}cli-orders\nid {10}[A-Za-z0-9_-]{22}\ninternal {4}false\npartitions {2}3\nreplicas {4}1\n/,
    );
    assert.match(text, /\nretention\.ms +3600000 +DYNAMIC_TOPIC_CONFIG\n/, side);
    assert.match(text, /\ncleanup\.policy +delete +DEFAULT_CONFIG\n/, side);
    const partitions = text.slice(text.indexOf("PARTITIONS\n=========="));
    assert.match(
      partitions,
      /PARTITION {2}LEADER {2}EPOCH {2}REPLICAS {2}LOG-START-OFFSET {2}HIGH-WATERMARK {2}SIZE\n0 {10}1 {7}\d+ +\[1\] +0 +5 +[1-9]\d*\n1 {10}1 {7}\d+ +\[1\] +0 +0 +0\n2 {10}1 {7}\d+ +\[1\] +0 +0 +0$/,
      side,
    );
  }

  await same(
    ["topic", "trim", "cli-orders", "-o", "3", "-p", "0"],
    "PARTITION  STATUS  LOG-START-OFFSET\n0          OK      3",
  );
  for (const side of SIDES) {
    const p0 = (await describeJson(side, "cli-orders")).partitions[0];
    assert.deepEqual([p0?.logStartOffset, p0?.highWatermark], [3, 5], side);
  }
  await same(
    ["topic", "trim", "cli-orders", "-o", "9", "-p", "1"],
    "PARTITION  STATUS               LOG-START-OFFSET\n1          OFFSET_OUT_OF_RANGE  -1",
    1,
  );

  await same(
    [
      "topic",
      "alter-config",
      "cli-orders",
      "--set",
      "cleanup.policy=compact",
      "--delete",
      "retention.ms",
    ],
    "TOPIC       STATUS\ncli-orders  OK",
  );
  for (const side of SIDES) {
    const d = await describeJson(side, "cli-orders");
    const config = (name: string) => d.configs.find((c) => c.name === name);
    assert.deepEqual(config("cleanup.policy"), {
      name: "cleanup.policy",
      value: "compact",
      source: "DYNAMIC_TOPIC_CONFIG",
      sensitive: false,
      readOnly: false,
    });
    assert.equal(config("retention.ms")?.source, "DEFAULT_CONFIG", side);
    assert.equal(config("retention.ms")?.value, "604800000", side);
  }

  await same(
    ["topic", "add-partitions", "cli-orders", "-n", "2"],
    "TOPIC       STATUS\ncli-orders  OK",
  );
  await same(["topic", "list"], "NAME        PARTITIONS  REPLICAS\ncli-orders  5           1");
  // Now compacted: Kafka keeps every record of a compact-only topic.
  await same(
    ["topic", "trim", "cli-orders", "-o", "4", "-p", "0"],
    "PARTITION  STATUS            LOG-START-OFFSET\n0          POLICY_VIOLATION  -1",
    1,
  );

  await same(["topic", "delete", "cli-orders"], "TOPIC       STATUS\ncli-orders  OK");
  const gone = await Promise.all(SIDES.map((s) => cli(s, ["topic", "describe", "cli-orders"])));
  for (const r of gone) {
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^logbook: topic cli-orders: UNKNOWN_TOPIC_OR_PARTITION/);
  }
});

test("cluster info names the broker, the controller and the finalized features", async () => {
  const out = await both(["cluster", "info", "--apis"]);
  for (const side of SIDES) {
    const text = out[side];
    assert.match(
      text,
      /^CLUSTER\n=======\ncluster-id {2}[A-Za-z0-9_-]{22}\ncontroller {2}1\n/,
      side,
    );
    assert.match(
      text,
      /\nBROKERS\n=======\nID {2}HOST {7}PORT +RACK\n1\* {2}127\.0\.0\.1 {2}PORT +-\n/,
      side,
    );
    assert.match(text, /\nmetadata\.version +\d+-\d+ +\d+\n/, side);
    assert.match(text, /\n0 +Produce +\d+-1[0-9]\n/, side);
  }
  const yaml = await cli("logbook", ["cluster", "info", "--format", "yaml"]);
  assert.match(yaml.stdout, /^clusterId: /);
  assert.match(yaml.stdout, /\nbrokers:\n {2}- id: 1\n {4}host: 127\.0\.0\.1\n/);
});

test("exit codes: 2 for a usage error, 3 when no broker answers, 1 when the broker refuses", async () => {
  const badValue = await cli("logbook", ["topic", "create", "x", "-p", "many"]);
  assert.equal(badValue.code, 2);
  assert.match(badValue.stderr, /--partitions must be a whole number >= -1, got "many"/);
  const badAddress = await runCli(["topic", "list", "-b", "host:99999"], NO_PROFILES);
  assert.equal(badAddress.code, 2);
  assert.match(badAddress.stderr, /port must be 1-65535/);
  const unreachable = await runCli(["topic", "list", "-b", "127.0.0.1:1"], NO_PROFILES);
  assert.equal(unreachable.code, 3);
  assert.match(
    unreachable.stderr,
    /^logbook: no broker reachable: 127\.0\.0\.1:1: connect ECONNREFUSED/,
  );
  const refused = await cli("logbook", ["topic", "create", "bad/name"]);
  assert.equal(refused.code, 1);
  assert.match(refused.stdout, /bad\/name +INVALID_TOPIC_EXCEPTION/);
});

test("where the cluster is: -b (or --bootstrap-server), then LOGBOOK_BROKERS, then the profile file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "logbook-profiles-"));
  const file = join(dir, "profiles.yaml");
  await writeFile(
    file,
    `current: lb\nprofiles:\n  lb:\n    brokers: ${b.logbook.bootstrap}\n  kafka:\n    brokers: ${b.kafka.bootstrap}\n`,
  );
  const info = async (args: string[], env: Record<string, string>) => {
    const r = await runCli(["cluster", "info", "--format", "json", ...args], env);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { brokers: { port: number }[] }).brokers[0]?.port;
  };
  assert.equal(await info([], { LOGBOOK_PROFILES: file }), b.logbook.port);
  assert.equal(await info(["--profile", "kafka"], { LOGBOOK_PROFILES: file }), b.kafka.port);
  assert.equal(await info([], { LOGBOOK_PROFILES: file, LOGBOOK_PROFILE: "kafka" }), b.kafka.port);
  assert.equal(
    await info([], { LOGBOOK_PROFILES: file, LOGBOOK_BROKERS: b.kafka.bootstrap }),
    b.kafka.port,
  );
  assert.equal(
    await info(["-b", b.logbook.bootstrap], {
      LOGBOOK_PROFILES: file,
      LOGBOOK_BROKERS: b.kafka.bootstrap,
    }),
    b.logbook.port,
  );
  const missing = await runCli(["topic", "list", "--profile", "nope"], { LOGBOOK_PROFILES: file });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /profile nope is not in /);
  // Kafka's tools call it --bootstrap-server; the same flag here, ahead of the rest.
  assert.equal(
    await info(["--bootstrap-server", b.kafka.bootstrap], {
      LOGBOOK_PROFILES: file,
      LOGBOOK_BROKERS: b.logbook.bootstrap,
    }),
    b.kafka.port,
  );
  const both = await runCli(
    ["topic", "list", "-b", b.logbook.bootstrap, "--bootstrap-server", b.kafka.bootstrap],
    NO_PROFILES,
  );
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--brokers and --bootstrap-server name different servers/);
});
