/**
 * SASL against a real `logbook start` with a PLAINTEXT listener (to manage users), a
 * SASL_PLAINTEXT one (PLAIN with users from its JAAS config, SCRAM-SHA-256/512) and a
 * SASL_SSL one (SCRAM-SHA-512 over TLS), sessions lasting 1.5 s (KIP-368):
 * kafkajs, librdkafka (python3-confluent-kafka), kcat, kafka-python (v0 handshake and
 * bare tokens) and the Java client authenticate
 * and produce and consume; wrong passwords and unknown users are refused with Kafka's
 * messages; nothing but ApiVersions and SASL is served before authentication; the Java
 * producer re-authenticates on one connection while a raw client that does not is
 * closed; and the same Java client settings authenticate against Kafka 4.4 configured
 * the same way.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  ApiVersionsApi,
  createApiVersionsRequest,
  createMetadataRequest,
  createSaslAuthenticateRequest,
  createSaslHandshakeRequest,
  ErrorCode,
  MetadataApi,
  SaslAuthenticateApi,
  SaslHandshakeApi,
} from "@logbook/protocol";
import { Kafka, logLevel, type SASLOptions } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker, tempDir } from "./helpers/broker-process.js";
import { requirePythonModule, runPython } from "./helpers/groups.js";
import { freePort, runKafkaTool, startKafka } from "./helpers/kafka-process.js";
import { kafkajsRoundTrip } from "./helpers/kafkajs-round-trip.js";
import { makeCa, makeServerCert } from "./helpers/test-certs.js";
import { WireClient } from "./helpers/wire-client.js";
import { JAVA_CHECKS_CLIENT, runJava } from "./java/java-driver.js";

const CONFIGS = "org.apache.kafka.tools.ConfigCommand";
const PLAIN_JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required user_paul="paul-secret";';
const REAUTH_MS = 1500;

let dir: string;
let ca: string;
let broker: BrokerProcess;
const ports = { sasl: 0, saslSsl: 0 };

async function addScramUser(bootstrap: string, user: string, password: string): Promise<void> {
  for (const mechanism of ["SCRAM-SHA-256", "SCRAM-SHA-512"]) {
    const r = await runKafkaTool(CONFIGS, [
      "--bootstrap-server",
      bootstrap,
      "--alter",
      "--entity-type",
      "users",
      "--entity-name",
      user,
      "--add-config",
      `${mechanism}=[password=${password}]`,
    ]);
    assert.equal(r.code, 0, r.stderr);
  }
}

before(async () => {
  dir = await tempDir("logbook-sasl-");
  ca = makeCa(dir);
  const server = makeServerCert(dir);
  ports.sasl = await freePort();
  ports.saslSsl = await freePort();
  const props = [
    `listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:${ports.sasl},SASL_SSL://127.0.0.1:${ports.saslSsl}`,
    "sasl.enabled.mechanisms=SCRAM-SHA-512",
    "listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
    `listener.name.sasl_plaintext.plain.sasl.jaas.config=${PLAIN_JAAS}`,
    "ssl.keystore.type=PEM",
    `ssl.keystore.location=${server.keystore}`,
    `connections.max.reauth.ms=${REAUTH_MS}`,
  ];
  const file = join(dir, "server.properties");
  writeFileSync(file, props.join("\n"));
  broker = await startBroker({ args: ["--config", file, "--log-level", "debug"] });
  await addScramUser(broker.bootstrap, "alice", "alice-secret");
});

after(async () => {
  await broker?.stop();
  await removeDir(broker?.dataDir ?? "");
  await removeDir(dir);
});

function kafkajsOver(port: number, sasl: SASLOptions, ssl = false) {
  return new Kafka({
    clientId: "sasl-it",
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 1 },
    sasl,
    ...(ssl ? { ssl: { ca: [readFileSync(ca, "utf8")] } } : {}),
  });
}

test("kafkajs authenticates with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512, and over SASL_SSL", async () => {
  const cases: [number, SASLOptions, boolean, string][] = [
    [
      ports.sasl,
      { mechanism: "plain", username: "paul", password: "paul-secret" },
      false,
      "kj-plain",
    ],
    [
      ports.sasl,
      { mechanism: "scram-sha-256", username: "alice", password: "alice-secret" },
      false,
      "kj-256",
    ],
    [
      ports.sasl,
      { mechanism: "scram-sha-512", username: "alice", password: "alice-secret" },
      false,
      "kj-512",
    ],
    [
      ports.saslSsl,
      { mechanism: "scram-sha-512", username: "alice", password: "alice-secret" },
      true,
      "kj-ssl",
    ],
  ];
  for (const [port, sasl, ssl, topic] of cases)
    assert.deepEqual(
      await kafkajsRoundTrip(kafkajsOver(port, sasl, ssl), topic),
      ["v0", "v1", "v2"],
      topic,
    );
});

test("kafkajs is refused with Kafka's messages: wrong password, unknown user, mechanism not enabled", async () => {
  const refusal = async (port: number, sasl: SASLOptions): Promise<string> => {
    const admin = kafkajsOver(port, sasl).admin();
    try {
      await admin.connect();
      await admin.listTopics();
      return "connected";
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    } finally {
      await admin.disconnect();
    }
  };
  assert.match(
    await refusal(ports.sasl, { mechanism: "plain", username: "paul", password: "nope" }),
    /Authentication failed: Invalid username or password/,
  );
  assert.match(
    await refusal(ports.sasl, { mechanism: "scram-sha-256", username: "alice", password: "nope" }),
    /Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256/,
  );
  assert.match(
    await refusal(ports.sasl, { mechanism: "scram-sha-512", username: "nobody", password: "x" }),
    /invalid credentials with SASL mechanism SCRAM-SHA-512/,
  );
  // The SASL_SSL listener enables SCRAM-SHA-512 only (and kafkajs speaks plaintext to it here,
  // so the refusal is the TLS one, not SASL's); PLAIN on it is refused before any password.
  assert.notEqual(
    await refusal(ports.saslSsl, { mechanism: "plain", username: "paul", password: "paul-secret" }),
    "connected",
  );
});

test("librdkafka (confluent-kafka) and kcat authenticate with SCRAM and PLAIN", async () => {
  requirePythonModule("confluent_kafka");
  for (const [mechanism, user, password, topic] of [
    ["SCRAM-SHA-256", "alice", "alice-secret", "rd-256"],
    ["PLAIN", "paul", "paul-secret", "rd-plain"],
  ] as const) {
    const lines = await runPython("tls_confluent.py", [
      `127.0.0.1:${ports.sasl}`,
      topic,
      "security.protocol=SASL_PLAINTEXT",
      `sasl.mechanisms=${mechanism}`,
      `sasl.username=${user}`,
      `sasl.password=${password}`,
    ]);
    const result = lines.find((l) => l.event === "result");
    assert.deepEqual(result?.values, ["v0", "v1", "v2"], mechanism);
  }
  const ssl = await runPython("tls_confluent.py", [
    `127.0.0.1:${ports.saslSsl}`,
    "rd-ssl",
    "security.protocol=SASL_SSL",
    `ssl.ca.location=${ca}`,
    "sasl.mechanisms=SCRAM-SHA-512",
    "sasl.username=alice",
    "sasl.password=alice-secret",
  ]);
  assert.deepEqual(ssl.find((l) => l.event === "result")?.values, ["v0", "v1", "v2"]);
  const kcat = spawnSync(
    "kcat",
    [
      "-b",
      `127.0.0.1:${ports.sasl}`,
      "-X",
      "security.protocol=SASL_PLAINTEXT",
      "-X",
      "sasl.mechanisms=SCRAM-SHA-512",
      "-X",
      "sasl.username=alice",
      "-X",
      "sasl.password=alice-secret",
      "-C",
      "-t",
      "rd-256",
      "-o",
      "beginning",
      "-e",
      "-f",
      "%s\\n",
    ],
    { encoding: "utf8", timeout: 60_000 },
  );
  assert.equal(kcat.status, 0, kcat.stderr);
  assert.deepEqual(kcat.stdout.trim().split("\n"), ["v0", "v1", "v2"]);
});

test("kafka-python 2.0 (v0 handshake, bare tokens) authenticates with PLAIN and SCRAM", async () => {
  requirePythonModule("kafka");
  for (const [mechanism, user, password, topic] of [
    ["PLAIN", "paul", "paul-secret", "kp-plain"],
    ["SCRAM-SHA-256", "alice", "alice-secret", "kp-256"],
    ["SCRAM-SHA-512", "alice", "alice-secret", "kp-512"],
  ] as const) {
    const lines = await runPython("kafka_python_sasl.py", [
      `127.0.0.1:${ports.sasl}`,
      topic,
      mechanism,
      user,
      password,
    ]);
    assert.deepEqual(
      lines.find((l) => l.event === "result")?.values,
      ["v0", "v1", "v2"],
      mechanism,
    );
  }
});

const javaScram = (
  mechanism: string,
  user: string,
  password: string,
  protocol = "SASL_PLAINTEXT",
) => [
  `security.protocol=${protocol}`,
  `sasl.mechanism=${mechanism}`,
  `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${user}" password="${password}";`,
];

test("the Java client over SASL_PLAINTEXT (SCRAM-SHA-256, PLAIN) and SASL_SSL (SCRAM-SHA-512)", async () => {
  const sha256 = await runJava(JAVA_CHECKS_CLIENT, "TlsChecks", [
    `127.0.0.1:${ports.sasl}`,
    "java-256",
    ...javaScram("SCRAM-SHA-256", "alice", "alice-secret"),
  ]);
  assert.deepEqual(sha256, { ports: [ports.sasl], values: ["v0", "v1", "v2"] });
  const plain = await runJava(JAVA_CHECKS_CLIENT, "TlsChecks", [
    `127.0.0.1:${ports.sasl}`,
    "java-plain",
    "security.protocol=SASL_PLAINTEXT",
    "sasl.mechanism=PLAIN",
    'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="paul" password="paul-secret";',
  ]);
  assert.deepEqual(plain, { ports: [ports.sasl], values: ["v0", "v1", "v2"] });
  const overTls = await runJava(JAVA_CHECKS_CLIENT, "TlsChecks", [
    `127.0.0.1:${ports.saslSsl}`,
    "java-ssl",
    ...javaScram("SCRAM-SHA-512", "alice", "alice-secret", "SASL_SSL"),
    "ssl.truststore.type=PEM",
    `ssl.truststore.location=${ca}`,
  ]);
  assert.deepEqual(overTls, { ports: [ports.saslSsl], values: ["v0", "v1", "v2"] });
  const denied = await runJava(JAVA_CHECKS_CLIENT, "SaslChecks", [
    "denied",
    `127.0.0.1:${ports.sasl}`,
    ...javaScram("SCRAM-SHA-256", "alice", "wrong"),
  ]);
  assert.deepEqual(denied, {
    error: "SaslAuthenticationException",
    message:
      "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256",
  });
});

test("KIP-368: the Java producer re-authenticates on its connection and keeps sending", async () => {
  const r = await runJava(JAVA_CHECKS_CLIENT, "SaslChecks", [
    "reauth",
    `127.0.0.1:${ports.sasl}`,
    "java-reauth",
    String(REAUTH_MS * 3),
    ...javaScram("SCRAM-SHA-512", "alice", "alice-secret"),
  ]);
  assert.deepEqual((r as { failures: string[] }).failures, []);
  assert.ok((r as { sent: number }).sent >= 10, JSON.stringify(r));
  const reauthenticated = broker
    .stderr()
    .split("\n")
    .filter((l) => l.includes('"re-authenticated"') && l.includes("User:alice"));
  assert.ok(reauthenticated.length >= 2, "the broker logs the re-authentications");
});

test("on a SASL listener only ApiVersions and SASL are served before authentication; a lapsed session is closed", async () => {
  const early = await WireClient.connect(ports.sasl);
  const versions = await early.request(
    ApiVersionsApi,
    3,
    createApiVersionsRequest({ clientSoftwareName: "t", clientSoftwareVersion: "1" }),
  );
  assert.equal(versions.body.errorCode, ErrorCode.NONE);
  early.write(early.frame(MetadataApi, 12, createMetadataRequest({ topics: null })).frame);
  await early.closed;

  const c = await WireClient.connect(ports.sasl);
  const hs = await c.request(
    SaslHandshakeApi,
    1,
    createSaslHandshakeRequest({ mechanism: "PLAIN" }),
  );
  assert.equal(hs.body.errorCode, ErrorCode.NONE);
  const auth = await c.request(
    SaslAuthenticateApi,
    2,
    createSaslAuthenticateRequest({ authBytes: Buffer.from("\u0000paul\u0000paul-secret") }),
  );
  assert.equal(auth.body.errorCode, ErrorCode.NONE);
  assert.equal(auth.body.sessionLifetimeMs, BigInt(REAUTH_MS));
  const meta = await c.request(MetadataApi, 12, createMetadataRequest({ topics: null }));
  assert.equal(meta.body.brokers[0]?.port, ports.sasl);
  await new Promise((r) => setTimeout(r, REAUTH_MS + 200));
  c.write(c.frame(MetadataApi, 12, createMetadataRequest({ topics: null })).frame);
  await c.closed;

  const wrong = await WireClient.connect(ports.sasl);
  await wrong.request(SaslHandshakeApi, 1, createSaslHandshakeRequest({ mechanism: "PLAIN" }));
  const refused = await wrong.request(
    SaslAuthenticateApi,
    2,
    createSaslAuthenticateRequest({ authBytes: Buffer.from("\u0000paul\u0000nope") }),
  );
  assert.equal(refused.body.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
  await wrong.closed;
});

test("Kafka 4.4 configured the same way takes the same Java client settings", async () => {
  const sasl = await freePort();
  const kafka = await startKafka({
    extraListeners: [{ name: "SASL_PLAINTEXT", protocol: "SASL_PLAINTEXT", port: sasl }],
    config: {
      "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
      "listener.name.sasl_plaintext.plain.sasl.jaas.config": PLAIN_JAAS,
      "listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config":
        "org.apache.kafka.common.security.scram.ScramLoginModule required;",
      "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config":
        "org.apache.kafka.common.security.scram.ScramLoginModule required;",
    },
  });
  try {
    await addScramUser(kafka.bootstrap, "alice", "alice-secret");
    const r = await runJava(JAVA_CHECKS_CLIENT, "TlsChecks", [
      `127.0.0.1:${sasl}`,
      "java-256",
      ...javaScram("SCRAM-SHA-256", "alice", "alice-secret"),
    ]);
    assert.deepEqual(r, { ports: [sasl], values: ["v0", "v1", "v2"] });
    const denied = await runJava(JAVA_CHECKS_CLIENT, "SaslChecks", [
      "denied",
      `127.0.0.1:${sasl}`,
      ...javaScram("SCRAM-SHA-256", "alice", "wrong"),
    ]);
    assert.deepEqual(denied, {
      error: "SaslAuthenticationException",
      message:
        "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256",
    });
  } finally {
    await kafka.stop();
  }
});
