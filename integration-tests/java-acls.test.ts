/**
 * ACLs with the Java client (kafka-clients 4.x) against Logbook and the reference Kafka,
 * both with the StandardAuthorizer and allow.everyone.if.no.acl.found=true (Kafka's own
 * controller traffic needs no ACL then): Admin createAcls/describeAcls/deleteAcls, a
 * producer and a consumer denied by a topic's ACLs and allowed once they are deleted.
 * The checks run in integration-tests/java/AclChecks.java.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type BrokerProcess, removeDir, startBroker } from "./helpers/broker-process.js";
import { type KafkaProcess, startKafka } from "./helpers/kafka-process.js";
import { JAVA_CHECKS_CLIENT, runJava } from "./java/java-driver.js";

const AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";

let logbook: BrokerProcess | undefined;
let kafka: KafkaProcess | undefined;
before(async () => {
  [logbook, kafka] = await Promise.all([
    startBroker({
      args: [
        "-o",
        `authorizer.class.name=${AUTHORIZER}`,
        "-o",
        "allow.everyone.if.no.acl.found=true",
      ],
    }),
    startKafka({
      config: { "authorizer.class.name": AUTHORIZER, "allow.everyone.if.no.acl.found": "true" },
    }),
  ]);
});
after(async () => {
  if (logbook?.isAlive()) assert.equal(await logbook.stop(), 0, logbook.stderr());
  if (logbook !== undefined) await removeDir(logbook.dataDir);
  await kafka?.stop();
});

const TOPIC = "acl-orders";
const expected = {
  createDeny: "none",
  createPrefixed: "none",
  createBadCluster: "InvalidRequestException",
  all: [
    `TOPIC:LITERAL:${TOPIC} User:ANONYMOUS@* WRITE DENY`,
    "TOPIC:PREFIXED:acl- User:alice@* READ ALLOW",
  ],
  matching: [
    `TOPIC:LITERAL:${TOPIC} User:ANONYMOUS@* WRITE DENY`,
    "TOPIC:PREFIXED:acl- User:alice@* READ ALLOW",
  ],
  alice: ["TOPIC:PREFIXED:acl- User:alice@* READ ALLOW"],
  produceDenied: "TopicAuthorizationException",
  consumeDenied: "TopicAuthorizationException",
  deleted: [
    `TOPIC:LITERAL:${TOPIC} User:ANONYMOUS@* WRITE DENY`,
    "TOPIC:PREFIXED:acl- User:alice@* READ ALLOW",
  ],
  afterDelete: [],
  produceAllowed: "none",
  read: 1,
};

for (const name of ["logbook", "kafka"] as const) {
  test(`Admin ACLs, and a producer and consumer denied then allowed [${name}]`, async () => {
    const b = name === "logbook" ? logbook : kafka;
    assert.ok(b !== undefined, `${name} did not start`);
    assert.deepEqual(
      await runJava(JAVA_CHECKS_CLIENT, "AclChecks", [b.bootstrap, TOPIC]),
      expected,
    );
  });
}
