/**
 * ssl.cipher.suites against a real `logbook start` and Kafka 4.4 with the same
 * setting: a listener limited to one TLS 1.2 suite admits a client offering it, refuses
 * one that offers only another suite, and serves TLS 1.2 to a client that would take
 * 1.3 (no TLS 1.3 suite is listed); the Java client with ssl.cipher.suites works; an
 * unknown suite name stops the start with a message. Also: ssl.protocol=TLSv1.2 leaves
 * TLS 1.3 enabled on both (ssl.enabled.protocols decides).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import {
  type BrokerProcess,
  removeDir,
  runCli,
  startBroker,
  tempDir,
} from "./helpers/broker-process.js";
import { freePort, type KafkaProcess, startKafka } from "./helpers/kafka-process.js";
import { makeCa, makeServerCert, type ServerCert } from "./helpers/test-certs.js";
import { answered, tlsConnect } from "./helpers/tls-client.js";
import { JAVA_CHECKS_CLIENT, runJava } from "./java/java-driver.js";

const SUITE = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
const SUITE_OPENSSL = "ECDHE-RSA-AES128-GCM-SHA256";
const OTHER_OPENSSL = "ECDHE-RSA-AES256-GCM-SHA384";

let dir: string;
let ca: string;
let server: ServerCert;
let broker: BrokerProcess;
let kafka: KafkaProcess;
const ports = { logbook: 0, kafka: 0 };
/** A listener with ssl.protocol=TLSv1.2 and the default ssl.enabled.protocols. */
const proto12 = { logbook: 0, kafka: 0 };

before(async () => {
  dir = await tempDir("logbook-ciphers-");
  ca = makeCa(dir);
  server = makeServerCert(dir);
  ports.logbook = await freePort();
  ports.kafka = await freePort();
  proto12.logbook = await freePort();
  proto12.kafka = await freePort();
  broker = await startBroker({
    args: [
      "-o",
      `listeners=PLAINTEXT://127.0.0.1:0,ONE12://127.0.0.1:${ports.logbook},PROTO12://127.0.0.1:${proto12.logbook}`,
      "-o",
      "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,ONE12:SSL,PROTO12:SSL",
      "-o",
      "listener.name.proto12.ssl.protocol=TLSv1.2",
      "-o",
      `ssl.keystore.location=${server.keystore}`,
      "-o",
      `listener.name.one12.ssl.cipher.suites=${SUITE}`,
    ],
  });
  kafka = await startKafka({
    extraListeners: [
      { name: "ONE12", protocol: "SSL", port: ports.kafka },
      { name: "PROTO12", protocol: "SSL", port: proto12.kafka },
    ],
    config: {
      "ssl.keystore.type": "PEM",
      "ssl.keystore.location": server.keystore,
      "listener.name.one12.ssl.cipher.suites": SUITE,
      "listener.name.proto12.ssl.protocol": "TLSv1.2",
    },
  });
});

after(async () => {
  await broker?.stop();
  await kafka?.stop();
  await removeDir(broker?.dataDir ?? "");
  await removeDir(dir);
});

/** What a node:tls client offering `ciphers` (TLS 1.2 only unless `any13`) gets on `port`. */
async function outcome(port: number, ciphers?: string): Promise<string> {
  const s = await tlsConnect(port, {
    ca: readFileSync(ca, "utf8"),
    ...(ciphers === undefined ? {} : { ciphers, maxVersion: "TLSv1.2" as const }),
  }).catch(() => null);
  if (s === null) return "refused";
  const got = `${s.getProtocol()} ${s.getCipher().standardName}`;
  return (await answered(s)) ? got : `${got} unanswered`;
}

test("one 1.2 suite: a client offering it is admitted, one without it refused, 1.3 not offered (as Kafka)", async () => {
  for (const [who, port] of [
    ["logbook", ports.logbook],
    ["kafka", ports.kafka],
  ] as const) {
    assert.deepEqual(
      [
        await outcome(port, SUITE_OPENSSL),
        await outcome(port, OTHER_OPENSSL),
        await outcome(port), // Node's defaults: TLS 1.3 and its suites offered too
      ],
      [`TLSv1.2 ${SUITE}`, "refused", `TLSv1.2 ${SUITE}`],
      who,
    );
  }
});

test("ssl.protocol=TLSv1.2 does not limit the versions: ssl.enabled.protocols decides (as Kafka)", async () => {
  for (const [who, port] of [
    ["logbook", proto12.logbook],
    ["kafka", proto12.kafka],
  ] as const) {
    const s = await tlsConnect(port, { ca: readFileSync(ca, "utf8") });
    assert.equal(s.getProtocol(), "TLSv1.3", who);
    assert.ok(await answered(s), who);
  }
});

test("the Java client with ssl.cipher.suites produces and consumes", async () => {
  const result = await runJava(JAVA_CHECKS_CLIENT, "TlsChecks", [
    `127.0.0.1:${ports.logbook}`,
    "ciphers-java",
    "security.protocol=SSL",
    "ssl.truststore.type=PEM",
    `ssl.truststore.location=${ca}`,
    `ssl.cipher.suites=${SUITE}`,
  ]);
  assert.deepEqual(result, { ports: [ports.logbook], values: ["v0", "v1", "v2"] });
});

test("an unknown suite name stops the start with a message naming it", async () => {
  const r = await runCli([
    "start",
    "--data-dir",
    "memory:",
    "-o",
    "listeners=SSL://127.0.0.1:0",
    "-o",
    `ssl.keystore.location=${server.keystore}`,
    "-o",
    "ssl.cipher.suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_NOT_A_SUITE",
  ]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /invalid ssl\.cipher\.suites: Unknown cipher suite "TLS_NOT_A_SUITE"/);
});
