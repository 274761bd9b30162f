/**
 * Several listeners and TLS against a real `logbook start`: one broker with a
 * PLAINTEXT listener and three SSL ones (default TLS versions, TLS 1.3 only, and mutual
 * TLS with a principal mapping), certificates made by openssl at test time. kafkajs,
 * librdkafka (python3-confluent-kafka) and the Java client produce and consume over
 * SSL (kcat too, and over mutual TLS); Metadata on each listener advertises that listener; TLS versions and client
 * certificates are accepted or refused per listener; replaced certificate files are
 * served to new connections without a restart; and the same Java client settings work
 * against Kafka 4.4 configured with the same PEM files.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { copyFileSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { ConnectionOptions, TLSSocket } from "node:tls";
import { Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker, tempDir } from "./helpers/broker-process.js";
import { requirePythonModule, runPython, waitFor } from "./helpers/groups.js";
import { freePort, startKafka } from "./helpers/kafka-process.js";
import { kafkajsRoundTrip } from "./helpers/kafkajs-round-trip.js";
import {
  type ClientCert,
  makeCa,
  makeClientCert,
  makeServerCert,
  type ServerCert,
} from "./helpers/test-certs.js";
import { answered, tlsConnect as connectTls } from "./helpers/tls-client.js";
import { JAVA_CHECKS_CLIENT, runJava } from "./java/java-driver.js";

let dir: string;
let ca: string;
let server: ServerCert;
let alice: ClientCert;
/** A client certificate from a CA the broker does not trust. */
let stranger: ClientCert;
let broker: BrokerProcess;
const ports = { ssl: 0, tls13: 0, mtls: 0, requested: 0 };

before(async () => {
  dir = await tempDir("logbook-tls-");
  ca = makeCa(dir);
  makeCa(dir, "other-ca");
  server = makeServerCert(dir);
  alice = makeClientCert(dir, "alice", "/C=US/O=Acme/OU=Eng/CN=Alice");
  stranger = makeClientCert(dir, "mallory", "/O=Elsewhere/OU=Eng/CN=mallory", "other-ca");
  // The broker reads a copy, so the reload test can replace it.
  copyFileSync(server.keystore, join(dir, "broker.pem"));
  ports.ssl = await freePort();
  ports.tls13 = await freePort();
  ports.mtls = await freePort();
  ports.requested = await freePort();
  const props = [
    `listeners=PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:${ports.ssl},TLS13://127.0.0.1:${ports.tls13},MTLS://127.0.0.1:${ports.mtls},REQ://127.0.0.1:${ports.requested}`,
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SSL:SSL,TLS13:SSL,MTLS:SSL,REQ:SSL",
    "ssl.keystore.type=PEM",
    `ssl.keystore.location=${join(dir, "broker.pem")}`,
    "listener.name.tls13.ssl.enabled.protocols=TLSv1.3",
    "listener.name.mtls.ssl.client.auth=required",
    "listener.name.mtls.ssl.truststore.type=PEM",
    `listener.name.mtls.ssl.truststore.location=${ca}`,
    "listener.name.mtls.ssl.principal.mapping.rules=RULE:^CN=([^,]*),OU=Eng,.*$/$1/L,DEFAULT",
    "listener.name.req.ssl.client.auth=requested",
    `listener.name.req.ssl.truststore.location=${ca}`,
  ];
  const file = join(dir, "server.properties");
  writeFileSync(file, props.join("\n"));
  broker = await startBroker({ args: ["--config", file, "--log-level", "debug"] });
});

after(async () => {
  await broker?.stop();
  await removeDir(broker?.dataDir ?? "");
  await removeDir(dir);
});

const pem = (path: string) => readFileSync(path, "utf8");

function kafkaOver(port: number, ssl?: { cert?: ClientCert }) {
  return new Kafka({
    clientId: "tls-it",
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
    ...(ssl === undefined
      ? {}
      : {
          ssl: {
            ca: [pem(ca)],
            ...(ssl.cert === undefined ? {} : { cert: pem(ssl.cert.cert), key: pem(ssl.cert.key) }),
          },
        }),
  });
}

/** A TLS connection to a listener of the broker, trusting the test CA. */
function tlsConnect(port: number, opts: ConnectionOptions = {}): Promise<TLSSocket> {
  return connectTls(port, { ca: pem(ca), ...opts });
}

test("Metadata on each listener advertises that listener's own port", async () => {
  for (const [port, ssl] of [
    [broker.port, undefined],
    [ports.ssl, {}],
    [ports.tls13, {}],
  ] as const) {
    const admin = kafkaOver(port, ssl).admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    await admin.disconnect();
    assert.deepEqual(
      cluster.brokers.map((b) => [b.host, b.port]),
      [["127.0.0.1", port]],
      `listener on ${port}`,
    );
  }
});

test("kafkajs produces and consumes over SSL", async () => {
  assert.deepEqual(await kafkajsRoundTrip(kafkaOver(ports.ssl, {}), "tls-kafkajs"), [
    "v0",
    "v1",
    "v2",
  ]);
});

test("librdkafka (confluent-kafka) produces and consumes over SSL with ssl.ca.location", async () => {
  requirePythonModule("confluent_kafka");
  const lines = await runPython("tls_confluent.py", [
    `127.0.0.1:${ports.ssl}`,
    "tls-librdkafka",
    "security.protocol=SSL",
    `ssl.ca.location=${ca}`,
  ]);
  const result = lines.find((l) => l.event === "result");
  assert.deepEqual(result?.ports, [ports.ssl]);
  assert.deepEqual(result?.values, ["v0", "v1", "v2"]);
});

test("kcat produces and consumes over SSL and mutual TLS", () => {
  const ssl = ["-X", "security.protocol=SSL", "-X", `ssl.ca.location=${ca}`];
  const mtls = [
    ...ssl,
    "-X",
    `ssl.certificate.location=${alice.cert}`,
    "-X",
    `ssl.key.location=${alice.key}`,
  ];
  for (const [port, settings, topic] of [
    [ports.ssl, ssl, "tls-kcat"],
    [ports.mtls, mtls, "tls-kcat-mtls"],
  ] as const) {
    const b = ["-b", `127.0.0.1:${port}`, ...settings];
    kcat([...b, "-P", "-t", topic], "v0\nv1\nv2\n");
    const read = kcat([...b, "-C", "-t", topic, "-o", "beginning", "-c", "3", "-e"]);
    assert.deepEqual(read.trim().split("\n"), ["v0", "v1", "v2"], `port ${port}`);
    const meta = JSON.parse(kcat([...b, "-L", "-J"])) as { brokers: { name: string }[] };
    assert.deepEqual(
      meta.brokers.map((x) => x.name),
      [`127.0.0.1:${port}`],
    );
  }
});

function kcat(args: string[], input?: string): string {
  const r = spawnSync("kcat", args, { input, encoding: "utf8", timeout: 60_000 });
  if (r.error !== undefined)
    assert.fail(`kcat could not run (${r.error.message}): install it with apt-get install kcat`);
  assert.equal(r.status, 0, `kcat ${args.join(" ")} failed:\n${r.stderr}`);
  return r.stdout;
}

test("the Java client produces and consumes over SSL with a PEM truststore", async () => {
  const result = await runJava(JAVA_CHECKS_CLIENT, "TlsChecks", [
    `127.0.0.1:${ports.ssl}`,
    "tls-java",
    "security.protocol=SSL",
    "ssl.truststore.type=PEM",
    `ssl.truststore.location=${ca}`,
  ]);
  assert.deepEqual(result, { ports: [ports.ssl], values: ["v0", "v1", "v2"] });
});

test("TLS versions: TLSv1.2 and 1.3 by default; a TLSv1.3-only listener refuses 1.2", async () => {
  for (const v of ["TLSv1.2", "TLSv1.3"] as const) {
    const s = await tlsConnect(ports.ssl, { minVersion: v, maxVersion: v });
    assert.equal(s.getProtocol(), v);
    assert.ok(await answered(s), `${v} is served`);
  }
  const s13 = await tlsConnect(ports.tls13, { minVersion: "TLSv1.3" });
  assert.equal(s13.getProtocol(), "TLSv1.3");
  s13.destroy();
  await assert.rejects(
    tlsConnect(ports.tls13, { maxVersion: "TLSv1.2" }),
    /protocol|version|alert/i,
  );
});

test("ssl.client.auth=required: no certificate or an untrusted one is refused; a trusted one is admitted as its mapped principal", async () => {
  const anonymous = await tlsConnect(ports.mtls).catch(() => null);
  if (anonymous !== null)
    assert.equal(await answered(anonymous), false, "no certificate: no answer");
  const untrusted = await tlsConnect(ports.mtls, {
    cert: pem(stranger.cert),
    key: pem(stranger.key),
  }).catch(() => null);
  if (untrusted !== null) assert.equal(await answered(untrusted), false, "untrusted: no answer");

  const values = await kafkajsRoundTrip(kafkaOver(ports.mtls, { cert: alice }), "tls-mtls");
  assert.deepEqual(values, ["v0", "v1", "v2"]);
  // CN=Alice,OU=Eng,O=Acme,C=US maps to "alice" (the rule's L flag).
  assert.match(broker.stderr(), /"listener":"MTLS","principal":"User:alice"/);
  // Plain SSL listeners take no client certificate: their connections are ANONYMOUS.
  assert.match(broker.stderr(), /"listener":"SSL","principal":"User:ANONYMOUS"/);

  const java = await runJava(JAVA_CHECKS_CLIENT, "TlsChecks", [
    `127.0.0.1:${ports.mtls}`,
    "tls-mtls-java",
    "security.protocol=SSL",
    "ssl.truststore.type=PEM",
    `ssl.truststore.location=${ca}`,
    "ssl.keystore.type=PEM",
    `ssl.keystore.location=${writeKeystore(alice, "alice.pem")}`,
  ]);
  assert.deepEqual(java, { ports: [ports.mtls], values: ["v0", "v1", "v2"] });
});

test("ssl.client.auth=requested: no certificate is ANONYMOUS, a trusted one names its subject, an untrusted one is refused", async () => {
  const bare = await tlsConnect(ports.requested);
  assert.ok(await answered(bare), "no certificate: served");
  const named = await tlsConnect(ports.requested, { cert: pem(alice.cert), key: pem(alice.key) });
  assert.ok(await answered(named), "trusted certificate: served");
  await waitFor("the REQ connections are logged", () =>
    /"listener":"REQ","principal":"User:CN=Alice,OU=Eng,O=Acme,C=US"/.test(broker.stderr()),
  );
  assert.match(broker.stderr(), /"listener":"REQ","principal":"User:ANONYMOUS"/);
  const untrusted = await tlsConnect(ports.requested, {
    cert: pem(stranger.cert),
    key: pem(stranger.key),
  }).catch(() => null);
  if (untrusted !== null) assert.equal(await answered(untrusted), false, "untrusted: no answer");
});

function writeKeystore(c: ClientCert, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, pem(c.key) + pem(c.cert));
  return path;
}

function serialOf(certPem: string): string {
  return new X509Certificate(certPem).serialNumber;
}

async function servedSerial(): Promise<string> {
  const s = await tlsConnect(ports.ssl);
  const serial = s.getPeerX509Certificate()?.serialNumber ?? "";
  s.destroy();
  return serial;
}

test("replaced certificate files are served to new connections without a restart; a broken file keeps the last good one", async () => {
  assert.equal(await servedSerial(), serialOf(pem(server.cert)));
  const next = makeServerCert(dir, "server2");
  assert.notEqual(serialOf(pem(next.cert)), serialOf(pem(server.cert)));
  const keystore = join(dir, "broker.pem");
  copyFileSync(next.keystore, `${keystore}.new`);
  renameSync(`${keystore}.new`, keystore);
  await waitFor("the broker reloads its certificate", () =>
    broker.stderr().includes("TLS key and certificates reloaded"),
  );
  assert.equal(await servedSerial(), serialOf(pem(next.cert)));

  writeFileSync(keystore, "not a PEM file\n");
  await waitFor("the broker refuses the broken file", () =>
    broker.stderr().includes("TLS files changed but do not load; keeping the previous ones"),
  );
  assert.equal(await servedSerial(), serialOf(pem(next.cert)), "the last good certificate stays");
  assert.ok(broker.isAlive());
});

test("Kafka 4.4 with the same PEM settings takes the same Java client settings", async () => {
  const sslPort = await freePort();
  const kafka = await startKafka({
    extraListeners: [{ name: "SSL", protocol: "SSL", port: sslPort }],
    config: {
      "ssl.keystore.type": "PEM",
      "ssl.keystore.location": server.keystore,
    },
  });
  try {
    const result = await runJava(JAVA_CHECKS_CLIENT, "TlsChecks", [
      `127.0.0.1:${sslPort}`,
      "tls-java",
      "security.protocol=SSL",
      "ssl.truststore.type=PEM",
      `ssl.truststore.location=${ca}`,
    ]);
    assert.deepEqual(result, { ports: [sslPort], values: ["v0", "v1", "v2"] });
  } finally {
    await kafka.stop();
  }
});
