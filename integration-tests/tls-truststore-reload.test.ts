/**
 * The truststore of a mutual-TLS listener is reloaded like its keystore: replacing the
 * ssl.truststore.location file makes the broker admit client certificates of the new
 * CA (and no longer those of the old one) without a restart (node:tls and the Java
 * client), and a broken file keeps the last good CAs.
 */
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type BrokerProcess, removeDir, startBroker, tempDir } from "./helpers/broker-process.js";
import { waitFor } from "./helpers/groups.js";
import { freePort } from "./helpers/kafka-process.js";
import { type ClientCert, makeCa, makeClientCert, makeServerCert } from "./helpers/test-certs.js";
import { answered, tlsConnect } from "./helpers/tls-client.js";
import { JAVA_CHECKS_CLIENT, runJava } from "./java/java-driver.js";

let dir: string;
let broker: BrokerProcess;
let port: number;
let truststore: string;
let serverCa: string;
/** Signed by the CA the broker trusts at start. */
let oldClient: ClientCert;
/** Signed by the CA the replaced truststore holds. */
let newClient: ClientCert;

before(async () => {
  dir = await tempDir("logbook-truststore-");
  serverCa = makeCa(dir);
  const oldCa = makeCa(dir, "old-ca");
  makeCa(dir, "new-ca");
  const server = makeServerCert(dir);
  oldClient = makeClientCert(dir, "old-client", "/CN=old", "old-ca");
  newClient = makeClientCert(dir, "new-client", "/CN=new", "new-ca");
  truststore = join(dir, "truststore.pem");
  copyFileSync(oldCa, truststore);
  port = await freePort();
  broker = await startBroker({
    args: [
      "-o",
      `listeners=PLAINTEXT://127.0.0.1:0,MTLS://127.0.0.1:${port}`,
      "-o",
      "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,MTLS:SSL",
      "-o",
      `ssl.keystore.location=${server.keystore}`,
      "-o",
      "ssl.client.auth=required",
      "-o",
      `ssl.truststore.location=${truststore}`,
    ],
  });
});

after(async () => {
  await broker?.stop();
  await removeDir(broker?.dataDir ?? "");
  await removeDir(dir);
});

const pem = (path: string) => readFileSync(path, "utf8");

/** Whether the listener serves a client presenting `c`. */
async function admits(c: ClientCert): Promise<boolean> {
  const s = await tlsConnect(port, {
    ca: pem(serverCa),
    cert: pem(c.cert),
    key: pem(c.key),
  }).catch(() => null);
  return s !== null && (await answered(s));
}

const reloads = () => broker.stderr().split("TLS key and certificates reloaded").length - 1;

test("a replaced truststore admits the new CA's clients without a restart; a broken one keeps the last good CAs", async () => {
  assert.equal(await admits(oldClient), true, "old CA trusted at start");
  assert.equal(await admits(newClient), false, "new CA not trusted yet");

  const before = reloads();
  copyFileSync(join(dir, "new-ca.pem"), `${truststore}.new`);
  renameSync(`${truststore}.new`, truststore);
  await waitFor("the broker reloads its truststore", () => reloads() > before);
  assert.equal(await admits(newClient), true, "new CA trusted after the reload");
  assert.equal(await admits(oldClient), false, "old CA no longer trusted");
  // The Java client with the new CA's certificate produces and consumes.
  const keystore = join(dir, "new-client-keystore.pem");
  writeFileSync(keystore, pem(newClient.key) + pem(newClient.cert));
  const java = await runJava(JAVA_CHECKS_CLIENT, "TlsChecks", [
    `127.0.0.1:${port}`,
    "truststore-reload-java",
    "security.protocol=SSL",
    "ssl.truststore.type=PEM",
    `ssl.truststore.location=${serverCa}`,
    "ssl.keystore.type=PEM",
    `ssl.keystore.location=${keystore}`,
  ]);
  assert.deepEqual(java, { ports: [port], values: ["v0", "v1", "v2"] });

  writeFileSync(truststore, "-----BEGIN CERTIFICATE-----\ntruncated\n");
  await waitFor("the broker refuses the broken truststore", () =>
    broker.stderr().includes("TLS files changed but do not load; keeping the previous ones"),
  );
  assert.match(broker.stderr(), /truststore\.pem: no PEM certificate found/);
  assert.equal(await admits(newClient), true, "the last good CAs stay");
  assert.ok(broker.isAlive());
});
