/**
 * ACLs for authenticated principals, not only User:ANONYMOUS: a `logbook start` with the
 * StandardAuthorizer, super.users=User:admin, a PLAINTEXT listener, a SASL_PLAINTEXT one
 * (PLAIN users admin, alice and bob from its JAAS config) and a mutual-TLS one whose
 * certificates map to User:<CN in lower case>. alice may WRITE topic t1 only, bob
 * nothing, admin everything; carol, known only by her client certificate, may WRITE t1
 * through an ACL naming User:carol. Checked with kafkajs and the Java producer.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import kafkajs, { Kafka, type KafkaConfig, logLevel } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker, tempDir } from "./helpers/broker-process.js";
import { freePort } from "./helpers/kafka-process.js";
import { kafkajsErrorType } from "./helpers/kafkajs-errors.js";
import { type ClientCert, makeCa, makeClientCert, makeServerCert } from "./helpers/test-certs.js";
import { JAVA_CHECKS_CLIENT, runJava } from "./java/java-driver.js";

// kafkajs's ACL enums are not visible as ESM named exports (CommonJS module).
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

const USERS = { admin: "admin-secret", alice: "alice-secret", bob: "bob-secret" } as const;
type User = keyof typeof USERS;
const PLAIN_JAAS = `org.apache.kafka.common.security.plain.PlainLoginModule required ${Object.entries(
  USERS,
)
  .map(([u, p]) => `user_${u}="${p}"`)
  .join(" ")};`;
const TOPICS = ["t1", "t2"];

let dir: string;
let ca: string;
let carol: ClientCert;
let broker: BrokerProcess;
const ports = { sasl: 0, mtls: 0 };

const pem = (path: string) => readFileSync(path, "utf8");

function saslClient(user: User): Kafka {
  return new Kafka({
    clientId: `acl-${user}`,
    brokers: [`127.0.0.1:${ports.sasl}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    sasl: { mechanism: "plain", username: user, password: USERS[user] },
  });
}

function mtlsClient(cert: ClientCert): Kafka {
  const ssl: KafkaConfig["ssl"] = { ca: [pem(ca)], cert: pem(cert.cert), key: pem(cert.key) };
  return new Kafka({
    clientId: "acl-mtls",
    brokers: [`127.0.0.1:${ports.mtls}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    ssl,
  });
}

/** The Kafka error name a failure carries, or the failure itself. */
const errorType = (e: unknown): string => kafkajsErrorType(e) ?? String(e);

/** Per topic, "none" or the error type of one send through a fresh kafkajs producer. */
async function kafkajsSends(kafka: Kafka): Promise<Record<string, string>> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const out: Record<string, string> = {};
  try {
    for (const topic of TOPICS) {
      try {
        await producer.send({ topic, messages: [{ value: "v" }] });
        out[topic] = "none";
      } catch (e) {
        out[topic] = errorType(e);
      }
    }
  } finally {
    await producer.disconnect();
  }
  return out;
}

function javaSends(bootstrap: string, settings: string[]): Promise<unknown> {
  return runJava(JAVA_CHECKS_CLIENT, "PrincipalChecks", [bootstrap, TOPICS.join(","), ...settings]);
}

const javaPlain = (user: User) => [
  "security.protocol=SASL_PLAINTEXT",
  "sasl.mechanism=PLAIN",
  `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${user}" password="${USERS[user]}";`,
];

before(async () => {
  dir = await tempDir("logbook-acl-principals-");
  ca = makeCa(dir);
  const server = makeServerCert(dir);
  carol = makeClientCert(dir, "carol", "/O=Acme/OU=Eng/CN=Carol");
  ports.sasl = await freePort();
  ports.mtls = await freePort();
  const props = [
    `listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:${ports.sasl},MTLS://127.0.0.1:${ports.mtls}`,
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,MTLS:SSL",
    "listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN",
    `listener.name.sasl_plaintext.plain.sasl.jaas.config=${PLAIN_JAAS}`,
    "ssl.keystore.type=PEM",
    `ssl.keystore.location=${server.keystore}`,
    "listener.name.mtls.ssl.client.auth=required",
    "listener.name.mtls.ssl.truststore.type=PEM",
    `listener.name.mtls.ssl.truststore.location=${ca}`,
    "listener.name.mtls.ssl.principal.mapping.rules=RULE:^CN=([^,]*),OU=Eng,.*$/$1/L,DEFAULT",
    "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
    "super.users=User:admin",
  ];
  const file = join(dir, "server.properties");
  writeFileSync(file, props.join("\n"));
  broker = await startBroker({ args: ["--config", file] });

  const admin = saslClient("admin").admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: TOPICS.map((topic) => ({ topic, numPartitions: 1 })) });
    const writeT1 = (principal: string) => ({
      resourceType: AclResourceTypes.TOPIC,
      resourceName: "t1",
      resourcePatternType: ResourcePatternTypes.LITERAL,
      principal,
      host: "*",
      operation: AclOperationTypes.WRITE,
      permissionType: AclPermissionTypes.ALLOW,
    });
    await admin.createAcls({ acl: [writeT1("User:alice"), writeT1("User:carol")] });
  } finally {
    await admin.disconnect();
  }
});

after(async () => {
  await broker?.stop();
  await removeDir(broker?.dataDir ?? "");
  await removeDir(dir);
});

const REFUSED = "TOPIC_AUTHORIZATION_FAILED";

test("kafkajs over SASL PLAIN: alice writes t1 only, bob nothing, the super user everything", async () => {
  assert.deepEqual(await kafkajsSends(saslClient("alice")), { t1: "none", t2: REFUSED });
  assert.deepEqual(await kafkajsSends(saslClient("bob")), { t1: REFUSED, t2: REFUSED });
  assert.deepEqual(await kafkajsSends(saslClient("admin")), { t1: "none", t2: "none" });
});

test("the same ACLs hold for the Java producer", async () => {
  const bootstrap = `127.0.0.1:${ports.sasl}`;
  const refused = "TopicAuthorizationException";
  assert.deepEqual(await javaSends(bootstrap, javaPlain("alice")), { t1: "none", t2: refused });
  assert.deepEqual(await javaSends(bootstrap, javaPlain("bob")), { t1: refused, t2: refused });
  assert.deepEqual(await javaSends(bootstrap, javaPlain("admin")), { t1: "none", t2: "none" });
});

test("a client certificate's mapped principal is what an ACL names (User:carol)", async () => {
  assert.deepEqual(await kafkajsSends(mtlsClient(carol)), { t1: "none", t2: REFUSED });
  const keystore = join(dir, "carol.pem");
  writeFileSync(keystore, pem(carol.key) + pem(carol.cert));
  const java = await javaSends(`127.0.0.1:${ports.mtls}`, [
    "security.protocol=SSL",
    "ssl.truststore.type=PEM",
    `ssl.truststore.location=${ca}`,
    "ssl.keystore.type=PEM",
    `ssl.keystore.location=${keystore}`,
  ]);
  assert.deepEqual(java, { t1: "none", t2: "TopicAuthorizationException" });
  // PLAINTEXT is User:ANONYMOUS, whom no ACL names.
  const plain = new Kafka({
    clientId: "acl-anonymous",
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  assert.deepEqual(await kafkajsSends(plain), { t1: REFUSED, t2: REFUSED });
});
