/**
 * SCRAM credentials through the Java Admin (SaslChecks.java, credentials) on Logbook
 * and on the reference Kafka with the same assertions; kafka-configs (Kafka 4.4's tool)
 * adding credentials on both with the same answer; on Logbook they survive a restart
 * (metadata log). The describing is done with the Admin; kafka-configs --describe of
 * users (credentials and client quotas) is compared in kafka-cli-quotas.test.ts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { removeDir, startBroker, tempDir } from "./helpers/broker-process.js";
import { runKafkaTool } from "./helpers/kafka-process.js";
import { logbookAndKafka } from "./java/both-brokers.js";
import { JAVA_CHECKS_CLIENT, runJava } from "./java/java-driver.js";

const { check } = logbookAndKafka();
const CONFIGS = "org.apache.kafka.tools.ConfigCommand";

/** What SaslChecks credentials reports for users PREFIX-*; `others` are listed too. */
function credentialChecks(prefix: string, others: string[] = []) {
  const u = (name: string) => `${prefix}-${name}`;
  return {
    upsert: "none",
    secondMechanism: "none",
    described: {
      [u("alice")]: ["SCRAM_SHA_256:8192", "SCRAM_SHA_512:4096"],
      [u("bob")]: ["SCRAM_SHA_512:4096"],
    },
    twiceInOneCall: "DuplicateResourceException",
    tooFew: "UnacceptableCredentialException",
    tooMany: "UnacceptableCredentialException",
    deleteMissing: "ResourceNotFoundException",
    delete: "none",
    afterDelete: { [u("alice")]: ["SCRAM_SHA_256:8192"] },
    describeMissing: "none",
    describeMissingUser: "ResourceNotFoundException",
    listed: [u("alice"), u("bob"), ...others.map(u)].sort(),
  };
}

check("SCRAM credentials: upsert, describe, delete and the refusals", async (t) => {
  assert.deepEqual(
    await runJava(JAVA_CHECKS_CLIENT, "SaslChecks", ["credentials", t.bootstrap, "j"]),
    credentialChecks("j"),
  );
});

check(
  "kafka-configs adds SCRAM credentials, and refuses two mechanisms of one user at once",
  async (t) => {
    const add = await runKafkaTool(CONFIGS, [
      "--bootstrap-server",
      t.bootstrap,
      "--alter",
      "--entity-type",
      "users",
      "--entity-name",
      "k-carol",
      "--add-config",
      "SCRAM-SHA-256=[iterations=8192,password=carol-secret]",
    ]);
    assert.equal(add.code, 0, add.stderr);
    assert.equal(add.stdout.trim(), "Completed updating config for user k-carol.");
    const both = await runKafkaTool(CONFIGS, [
      "--bootstrap-server",
      t.bootstrap,
      "--alter",
      "--entity-type",
      "users",
      "--entity-name",
      "k-dan",
      "--add-config",
      "SCRAM-SHA-256=[password=x],SCRAM-SHA-512=[password=x]",
    ]);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /A user credential cannot be altered twice in the same request/);
  },
);

test("SCRAM credentials survive a Logbook restart", async () => {
  const dataDir = await tempDir();
  let broker = await startBroker({ dataDir });
  try {
    const add = await runKafkaTool(CONFIGS, [
      "--bootstrap-server",
      broker.bootstrap,
      "--alter",
      "--entity-type",
      "users",
      "--entity-name",
      "r-dave",
      "--add-config",
      "SCRAM-SHA-512=[iterations=5000,password=dave-secret]",
    ]);
    assert.equal(add.code, 0, add.stderr);
    await broker.stop();
    broker = await startBroker({ dataDir });
    assert.deepEqual(
      await runJava(JAVA_CHECKS_CLIENT, "SaslChecks", ["credentials", broker.bootstrap, "r"]),
      credentialChecks("r", ["dave"]),
    );
  } finally {
    await broker.stop();
    await removeDir(dataDir);
  }
});
