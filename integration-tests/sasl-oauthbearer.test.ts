/**
 * SASL/OAUTHBEARER against a real `logbook start` and Kafka 4.4 configured the same way:
 * a SASL_PLAINTEXT listener taking Kafka's unsecured development tokens (scope "kafka"
 * required) and a second listener (SIGNED) checking signed JWTs against a JWKS file
 * with Kafka's OAuthBearerValidatorCallbackHandler settings. The Java client
 * (OAuthBearerLoginModule's unsecured tokens), librdkafka's unsecured JWT and kafkajs
 * with a signed JWT produce and consume; the wire exchange of a refused token (JSON
 * error, the client's \x01, then the failure) is the same on both brokers, for unsecured
 * and signed tokens (tampered, wrong audience or issuer, unsigned); and a token's
 * expiry bounds the session (KIP-368).
 */
import assert from "node:assert/strict";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import { ErrorCode } from "@logbook/protocol";
import { Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker, tempDir } from "./helpers/broker-process.js";
import { requirePythonModule, runPython, waitFor } from "./helpers/groups.js";
import { freePort, type KafkaProcess, startKafka } from "./helpers/kafka-process.js";
import {
  b64,
  type Claims,
  nowS,
  rs256Token,
  unsecuredToken,
  wireExchange,
} from "./helpers/oauthbearer.js";
import { JAVA_CHECKS_CLIENT, runJava } from "./java/java-driver.js";

const REAUTH_MS = 600_000;
const SERVER_JAAS =
  'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="admin" unsecuredValidatorRequiredScope="kafka";';
const SIGNED_HANDLER =
  "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler";
const AUDIENCE = "logbook-it";
const ISSUER = "https://issuer.logbook.test";

let dir: string;
let broker: BrokerProcess;
let kafka: KafkaProcess;
const ports = { logbook: 0, signed: 0, kafka: 0, kafkaSigned: 0 };
let signingKey: KeyObject;

/** The listener settings both brokers get for unsecured OAUTHBEARER. */
const unsecuredListener = {
  "sasl.enabled.mechanisms": "OAUTHBEARER",
  "listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config": SERVER_JAAS,
  "connections.max.reauth.ms": String(REAUTH_MS),
};

before(async () => {
  dir = await tempDir("logbook-oauth-");
  const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
  signingKey = keys.privateKey;
  const jwks = join(dir, "jwks.json");
  const jwk = {
    ...keys.publicKey.export({ format: "jwk" }),
    kid: "it-1",
    alg: "RS256",
    use: "sig",
  };
  writeFileSync(jwks, JSON.stringify({ keys: [jwk] }));
  ports.logbook = await freePort();
  ports.signed = await freePort();
  ports.kafka = await freePort();
  ports.kafkaSigned = await freePort();
  const jwksUrl = pathToFileURL(jwks).href;
  // The SIGNED listener's settings, the same on both brokers.
  const signedListener = {
    "listener.name.signed.oauthbearer.sasl.jaas.config":
      'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="admin";',
    "listener.name.signed.oauthbearer.sasl.server.callback.handler.class": SIGNED_HANDLER,
    "sasl.oauthbearer.jwks.endpoint.url": jwksUrl,
    "sasl.oauthbearer.expected.audience": AUDIENCE,
    "sasl.oauthbearer.expected.issuer": ISSUER,
  };
  const props = [
    // Kafka 4's allowed URLs: a setting on Logbook, the JVM system property on Kafka.
    `org.apache.kafka.sasl.oauthbearer.allowed.urls=${jwksUrl}`,
    `listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:${ports.logbook},SIGNED://127.0.0.1:${ports.signed}`,
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SIGNED:SASL_PLAINTEXT",
    ...Object.entries({ ...unsecuredListener, ...signedListener }).map(([k, v]) => `${k}=${v}`),
  ];
  const file = join(dir, "server.properties");
  writeFileSync(file, props.join("\n"));
  const [b, k] = await Promise.all([
    startBroker({ args: ["--config", file, "--log-level", "debug"] }),
    startKafka({
      extraListeners: [
        { name: "SASL_PLAINTEXT", protocol: "SASL_PLAINTEXT", port: ports.kafka },
        { name: "SIGNED", protocol: "SASL_PLAINTEXT", port: ports.kafkaSigned },
      ],
      config: { ...unsecuredListener, ...signedListener },
      // Kafka 4 reads a JWKS only from a URL this JVM property allows.
      systemProperties: { "org.apache.kafka.sasl.oauthbearer.allowed.urls": jwksUrl },
    }),
  ]);
  broker = b;
  kafka = k;
});

after(async () => {
  await kafka?.stop();
  await broker?.stop();
  await removeDir(broker?.dataDir ?? "");
  await removeDir(dir);
});

/** A JWT signed by the key of the SIGNED listener's JWKS, good there unless `claims` spoil it. */
function signedToken(claims: Claims = {}): string {
  const payload = { sub: "carol", aud: AUDIENCE, iss: ISSUER, scope: "kafka" };
  return rs256Token(signingKey, "it-1", { ...payload, ...claims });
}

test("on the wire a refused token gets Kafka's JSON error, then fails after the client's \\x01", async () => {
  for (const [token, status] of [
    [unsecuredToken({ sub: "alice" }), '{"status":"insufficient_scope", "scope":"[kafka]"}'],
    [
      unsecuredToken({ sub: "alice", scope: "kafka", exp: nowS() - 60 }),
      '{"status":"invalid_token"}',
    ],
  ] as const) {
    const [logbook, reference] = await Promise.all([
      wireExchange(ports.logbook, token),
      wireExchange(ports.kafka, token),
    ]);
    assert.deepEqual(logbook, reference, "Logbook answers as Kafka 4.4");
    assert.deepEqual(logbook, {
      handshake: ErrorCode.NONE,
      reply: { errorCode: ErrorCode.NONE, authBytes: status, sessionLifetimeMs: 0n },
      afterAck: { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: status },
    });
  }
});

test("KIP-368: a good token's session lasts until it expires, as on Kafka 4.4", async () => {
  const token = unsecuredToken({ sub: "alice", scope: "kafka", exp: nowS() + 120 });
  const [logbook, reference] = await Promise.all([
    wireExchange(ports.logbook, token),
    wireExchange(ports.kafka, token),
  ]);
  for (const o of [logbook, reference]) {
    assert.equal(o.reply.errorCode, ErrorCode.NONE);
    assert.equal(o.reply.authBytes, "");
    const ms = Number(o.reply.sessionLifetimeMs);
    assert.ok(ms > 100_000 && ms <= 120_000, `session lifetime ${ms}`);
  }
});

const javaUnsecured = (claims: string) => [
  "security.protocol=SASL_PLAINTEXT",
  "sasl.mechanism=OAUTHBEARER",
  `sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required ${claims};`,
];

test("the Java client with OAuthBearerLoginModule's unsecured token, on Logbook and on Kafka 4.4", async () => {
  for (const port of [ports.logbook, ports.kafka]) {
    const r = await runJava(JAVA_CHECKS_CLIENT, "TlsChecks", [
      `127.0.0.1:${port}`,
      "java-oauth",
      ...javaUnsecured(
        'unsecuredLoginStringClaim_sub="alice" unsecuredLoginStringClaim_scope="kafka"',
      ),
    ]);
    assert.deepEqual(r, { ports: [port], values: ["v0", "v1", "v2"] }, `port ${port}`);
  }
  const [logbook, reference] = await Promise.all(
    [ports.logbook, ports.kafka].map((port) =>
      runJava(JAVA_CHECKS_CLIENT, "SaslChecks", [
        "denied",
        `127.0.0.1:${port}`,
        ...javaUnsecured('unsecuredLoginStringClaim_sub="alice"'),
      ]),
    ),
  );
  assert.deepEqual(logbook, reference, "the Java client is refused the same way");
  assert.equal((logbook as { error: string }).error, "SaslAuthenticationException");
  const lines = broker.stderr().split("\n");
  assert.ok(lines.some((l) => l.includes('"authenticated"') && l.includes("User:alice")));
});

test("KIP-368: the Java producer re-authenticates with fresh tokens before each expires", async () => {
  // 6 s tokens: the login thread refreshes each at about 80% of its life and the session
  // the broker grants ends with the token, so the producer re-authenticates in between.
  const claims =
    'unsecuredLoginStringClaim_sub="renee" unsecuredLoginStringClaim_scope="kafka" unsecuredLoginLifetimeSeconds="6"';
  for (const port of [ports.logbook, ports.kafka]) {
    const r = await runJava(JAVA_CHECKS_CLIENT, "SaslChecks", [
      "reauth",
      `127.0.0.1:${port}`,
      "java-oauth-reauth",
      "14000",
      ...javaUnsecured(claims),
    ]);
    assert.deepEqual((r as { failures: string[] }).failures, [], `port ${port}`);
    assert.ok((r as { sent: number }).sent >= 10, JSON.stringify(r));
  }
  const reauthenticated = broker
    .stderr()
    .split("\n")
    .filter((l) => l.includes('"re-authenticated"') && l.includes("User:renee"));
  assert.ok(reauthenticated.length >= 1, "the broker logs the re-authentications");
});

test("librdkafka (confluent-kafka) with its unsecured JWT", async () => {
  requirePythonModule("confluent_kafka");
  const lines = await runPython("tls_confluent.py", [
    `127.0.0.1:${ports.logbook}`,
    "rd-oauth",
    "security.protocol=SASL_PLAINTEXT",
    "sasl.mechanisms=OAUTHBEARER",
    "enable.sasl.oauthbearer.unsecure.jwt=true",
    "sasl.oauthbearer.config=principal=dave scope=kafka",
  ]);
  assert.deepEqual(lines.find((l) => l.event === "result")?.values, ["v0", "v1", "v2"]);
});

function kafkajsWith(token: () => Promise<string>) {
  return new Kafka({
    clientId: "oauth-it",
    brokers: [`127.0.0.1:${ports.signed}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    sasl: { mechanism: "oauthbearer", oauthBearerProvider: async () => ({ value: await token() }) },
  });
}

test("kafkajs with a signed JWT on the SIGNED listener; bad signed tokens refused as by Kafka 4.4", async () => {
  const kafka = kafkajsWith(async () => signedToken());
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "kjs-oauth", numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: "kjs-oauth", messages: [{ value: "signed" }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: "g-kjs-oauth", maxWaitTimeInMs: 100 });
  const got: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: "kjs-oauth", fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void got.push(String(message.value)) });
  await waitFor("kafkajs reads the record", () => got.length >= 1);
  await consumer.disconnect();
  assert.deepEqual(got, ["signed"]);
  const lines = broker.stderr().split("\n");
  assert.ok(lines.some((l) => l.includes('"authenticated"') && l.includes("User:carol")));

  const tampered = async () => {
    const [h, , s] = signedToken().split(".");
    return `${h}.${b64({ sub: "admin", aud: AUDIENCE, iss: ISSUER, iat: nowS(), exp: nowS() + 3600 })}.${s}`;
  };
  const bad = [
    await tampered(),
    signedToken({ aud: "elsewhere" }),
    signedToken({ iss: "https://elsewhere.test" }),
    unsecuredToken({ sub: "carol", scope: "kafka" }),
  ];
  for (const token of bad) {
    const [o, reference] = await Promise.all([
      wireExchange(ports.signed, token),
      wireExchange(ports.kafkaSigned, token),
    ]);
    assert.deepEqual(o, reference, "Kafka 4.4 refuses the same token the same way");
    assert.equal(o.reply.authBytes, '{"status":"invalid_token"}');
    assert.equal(o.afterAck?.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
  }
  const good = signedToken();
  const [o, reference] = await Promise.all([
    wireExchange(ports.signed, good),
    wireExchange(ports.kafkaSigned, good),
  ]);
  for (const answer of [o, reference]) {
    assert.equal(answer.reply.errorCode, ErrorCode.NONE);
    assert.equal(answer.reply.authBytes, "");
  }
  // kafkajs takes the error reply for success and never sends \x01, so it fails at its
  // first real request, which an unauthenticated connection is closed at.
  const refused = kafkajsWith(tampered).admin();
  await assert.rejects(refused.connect().then(() => refused.listTopics()));
  await refused.disconnect();
});
