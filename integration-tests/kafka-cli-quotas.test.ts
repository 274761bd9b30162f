/**
 * kafka-configs on client quotas (users, clients, users with clients, defaults), Kafka
 * 4.4's own tool run against Logbook and against the reference Kafka: the same output
 * for --alter --add-config, --describe (one entity, every entity of a type, defaults,
 * and `--entity-type users`, which also lists SCRAM credentials) and --delete-config.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  assertSame,
  type Both,
  type Brokers,
  normalise,
  onBoth,
  startBrokers,
  Tool,
} from "./helpers/kafka-cli.js";

let b: Brokers;
before(async () => {
  b = await startBrokers();
});
after(async () => {
  await b?.stop();
});

const BS = ["--bootstrap-server", "{bootstrap}"];

/** Every user entity: quotas (the default first), then SCRAM credentials. */
const USERS = [
  "Quota configs for the default user-principal are consumer_byte_rate=100000.0",
  "Quota configs for user-principal 'alice' are consumer_byte_rate=2048.0, producer_byte_rate=1024.0",
].join("\n");

/**
 * Runs a describe on both until they print the same (Kafka's broker applies an alter
 * through its metadata log, a moment after kafka-configs returns), at most 30 s.
 */
async function describeSettled(args: string[]): Promise<Both> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await onBoth(b, Tool.configs, [...BS, "--describe", ...args]);
    const same =
      normalise(r.kafka.stdout, b, "kafka") === normalise(r.logbook.stdout, b, "logbook");
    if (same || Date.now() > deadline) return r;
    await new Promise((res) => setTimeout(res, 200));
  }
}

async function alter(args: string[], expected: string): Promise<void> {
  assertSame(await onBoth(b, Tool.configs, [...BS, "--alter", ...args]), b, expected);
}

test("kafka-configs adds, describes and deletes quotas of users and clients as on Kafka", async () => {
  await alter(
    [
      "--entity-type",
      "users",
      "--entity-name",
      "alice",
      "--add-config",
      "producer_byte_rate=1024,consumer_byte_rate=2048",
    ],
    "Completed updating config for user alice.",
  );
  await alter(
    ["--entity-type", "clients", "--entity-default", "--add-config", "request_percentage=12.5"],
    "Completed updating default config for clients in the cluster.",
  );
  await alter(
    [
      "--entity-type",
      "users",
      "--entity-name",
      "alice",
      "--entity-type",
      "clients",
      "--entity-name",
      "app",
      "--add-config",
      "producer_byte_rate=4096",
    ],
    "Completed updating config for user alice.",
  );
  await alter(
    ["--entity-type", "users", "--entity-default", "--add-config", "consumer_byte_rate=100000"],
    "Completed updating default config for users in the cluster.",
  );
  assertSame(
    await describeSettled(["--entity-type", "users", "--entity-name", "alice"]),
    b,
    "Quota configs for user-principal 'alice' are consumer_byte_rate=2048.0, producer_byte_rate=1024.0",
  );
  // `--describe --entity-type users` lists SCRAM credentials too (DescribeUserScramCredentials).
  await alter(
    [
      "--entity-type",
      "users",
      "--entity-name",
      "bob",
      "--add-config",
      "SCRAM-SHA-256=[iterations=8192,password=bob-secret]",
    ],
    "Completed updating config for user bob.",
  );
  const users = assertSame(await describeSettled(["--entity-type", "users"]), b, /^Quota configs/);
  assert.ok(users.startsWith(USERS), users);
  assert.match(
    users,
    /SCRAM credential configs for user-principal 'bob' are SCRAM-SHA-256=iterations=8192/,
  );
  assertSame(
    await describeSettled(["--entity-type", "clients"]),
    b,
    "Quota configs for the default client-id are request_percentage=12.5",
  );
  assertSame(
    await describeSettled([
      "--entity-type",
      "users",
      "--entity-name",
      "alice",
      "--entity-type",
      "clients",
    ]),
    b,
    "Quota configs for user-principal 'alice', client-id 'app' are producer_byte_rate=4096.0",
  );
  await alter(
    ["--entity-type", "users", "--entity-name", "alice", "--delete-config", "producer_byte_rate"],
    "Completed updating config for user alice.",
  );
  assertSame(
    await describeSettled(["--entity-type", "users", "--entity-name", "alice"]),
    b,
    "Quota configs for user-principal 'alice' are consumer_byte_rate=2048.0",
  );
});
