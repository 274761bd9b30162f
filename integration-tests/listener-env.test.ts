/**
 * A broker configured from LOGBOOK_* variables alone, with a second SSL listener whose
 * settings are listener.name.client_ssl.* spelled by the Confluent/Bitnami image rule
 * (`__` an underscore, `_` a dot): kafkajs and the Java client produce and consume over
 * it, and Metadata on it advertises its own port.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker, tempDir } from "./helpers/broker-process.js";
import { freePort } from "./helpers/kafka-process.js";
import { kafkajsRoundTrip } from "./helpers/kafkajs-round-trip.js";
import { makeCa, makeServerCert } from "./helpers/test-certs.js";
import { tlsConnect } from "./helpers/tls-client.js";
import { JAVA_CHECKS_CLIENT, runJava } from "./java/java-driver.js";

let dir: string;
let ca: string;
let broker: BrokerProcess;
let sslPort: number;

before(async () => {
  dir = await tempDir("logbook-listener-env-");
  ca = makeCa(dir);
  const server = makeServerCert(dir);
  sslPort = await freePort();
  broker = await startBroker({
    bare: true,
    env: {
      LOGBOOK_DATA_DIR: join(dir, "data"),
      LOGBOOK_LISTENERS: `PLAINTEXT://127.0.0.1:0,CLIENT_SSL://127.0.0.1:${sslPort}`,
      LOGBOOK_LISTENER_SECURITY_PROTOCOL_MAP: "PLAINTEXT:PLAINTEXT,CLIENT_SSL:SSL",
      LOGBOOK_LISTENER_NAME_CLIENT__SSL_SSL_KEYSTORE_TYPE: "PEM",
      LOGBOOK_LISTENER_NAME_CLIENT__SSL_SSL_KEYSTORE_LOCATION: server.keystore,
      LOGBOOK_LISTENER_NAME_CLIENT__SSL_SSL_ENABLED_PROTOCOLS: "TLSv1.3",
    },
  });
});

after(async () => {
  await broker?.stop();
  await removeDir(dir);
});

function kafkaOverSsl(): Kafka {
  return new Kafka({
    clientId: "listener-env-it",
    brokers: [`127.0.0.1:${sslPort}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
    ssl: { ca: [readFileSync(ca, "utf8")] },
  });
}

test("the SSL listener given only by environment variables serves kafkajs and advertises itself", async () => {
  assert.doesNotMatch(broker.stderr(), /unknown property/);
  const admin = kafkaOverSsl().admin();
  await admin.connect();
  const cluster = await admin.describeCluster();
  await admin.disconnect();
  assert.deepEqual(
    cluster.brokers.map((b) => [b.host, b.port]),
    [["127.0.0.1", sslPort]],
  );
  assert.deepEqual(await kafkajsRoundTrip(kafkaOverSsl(), "env-kafkajs"), ["v0", "v1", "v2"]);
});

test("the Java client produces and consumes over it; its TLS 1.3-only setting holds", async () => {
  const result = await runJava(JAVA_CHECKS_CLIENT, "TlsChecks", [
    `127.0.0.1:${sslPort}`,
    "env-java",
    "security.protocol=SSL",
    "ssl.truststore.type=PEM",
    `ssl.truststore.location=${ca}`,
  ]);
  assert.deepEqual(result, { ports: [sslPort], values: ["v0", "v1", "v2"] });
  // listener.name.client_ssl.ssl.enabled.protocols=TLSv1.3 came from the environment too.
  await assert.rejects(
    tlsConnect(sslPort, { ca: readFileSync(ca, "utf8"), maxVersion: "TLSv1.2" }),
    /protocol|version|alert/i,
    "TLS 1.2 refused",
  );
});
