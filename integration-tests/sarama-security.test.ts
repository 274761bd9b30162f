/**
 * sarama (integration-tests/go/saramadriver's secure-roundtrip) against a real `logbook
 * start` with a PLAINTEXT listener (to add a SCRAM user, with sarama's admin client), a
 * SASL_SSL one (SCRAM-SHA-256/512, and PLAIN with users from its JAAS config) and an SSL
 * one, certificates made by openssl at test time: sarama produces and consumes with the
 * right credentials and the test CA, is refused with its authentication error on a wrong
 * password, and refuses the broker's certificate without the CA.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { sarama } from "./go/sarama-driver.js";
import { type BrokerProcess, removeDir, startBroker, tempDir } from "./helpers/broker-process.js";
import { freePort } from "./helpers/kafka-process.js";
import { makeCa, makeServerCert } from "./helpers/test-certs.js";

const PLAIN_JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required user_paul="paul-secret";';
const VALUES = ["secure-0", "secure-1", "secure-2"];

let dir: string;
let ca: string;
let broker: BrokerProcess;
const ports = { saslSsl: 0, ssl: 0 };

before(async () => {
  sarama.build();
  dir = await tempDir("logbook-sarama-sec-");
  ca = makeCa(dir);
  const server = makeServerCert(dir);
  ports.saslSsl = await freePort();
  ports.ssl = await freePort();
  const file = join(dir, "server.properties");
  writeFileSync(
    file,
    [
      `listeners=PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:${ports.saslSsl},SSL://127.0.0.1:${ports.ssl}`,
      "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
      `listener.name.sasl_ssl.plain.sasl.jaas.config=${PLAIN_JAAS}`,
      "ssl.keystore.type=PEM",
      `ssl.keystore.location=${server.keystore}`,
    ].join("\n"),
  );
  broker = await startBroker({ args: ["--config", file] });
  assert.equal(
    await sarama.run(["upsert-scram-user", broker.bootstrap, "alice", "alice-secret"]),
    "alice",
  );
});

after(async () => {
  await broker?.stop();
  await removeDir(broker?.dataDir ?? "");
  await removeDir(dir);
});

interface Run {
  code: number;
  /** The values sarama read back (from its result line), when it succeeded. */
  values?: (string | null)[];
  stderr: string;
}

/** `saramadriver secure-roundtrip` on `port` with the LB_* settings `env`. */
function roundTrip(port: number, topic: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      sarama.path,
      ["secure-roundtrip", `127.0.0.1:${port}`, topic],
      { env: { PATH: process.env.PATH, ...env }, timeout: 90_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        const line = stdout.split("\n").find((l) => l.includes('"event":"result"'));
        const result =
          line === undefined ? undefined : (JSON.parse(line).result as { value: string | null }[]);
        resolve({ code, stderr, ...(result ? { values: result.map((r) => r.value) } : {}) });
      },
    );
  });
}

const saslSsl = (mechanism: string, username: string, password: string) => ({
  LB_SECURITY_PROTOCOL: "SASL_SSL",
  LB_SASL_MECHANISM: mechanism,
  LB_SASL_USERNAME: username,
  LB_SASL_PASSWORD: password,
  LB_SSL_CA_FILE: ca,
});

/** Sarama's message when the broker refuses the credentials (its ErrSASLAuthenticationFailed). */
const AUTH_FAILED = /SASL Authentication failed/;

test("sarama produces and consumes over SASL_SSL with SCRAM-SHA-512 and SCRAM-SHA-256", async () => {
  for (const mechanism of ["SCRAM-SHA-512", "SCRAM-SHA-256"]) {
    const r = await roundTrip(
      ports.saslSsl,
      `sarama-${mechanism.toLowerCase()}`,
      saslSsl(mechanism, "alice", "alice-secret"),
    );
    assert.deepEqual(r, { code: 0, stderr: "", values: VALUES }, mechanism);
  }
});

test("sarama produces and consumes over SASL_SSL with PLAIN", async () => {
  const r = await roundTrip(ports.saslSsl, "sarama-plain", saslSsl("PLAIN", "paul", "paul-secret"));
  assert.deepEqual(r, { code: 0, stderr: "", values: VALUES });
});

test("a wrong password fails with sarama's authentication error (SCRAM-SHA-512 and PLAIN)", async () => {
  for (const env of [
    saslSsl("SCRAM-SHA-512", "alice", "wrong"),
    saslSsl("PLAIN", "paul", "wrong"),
  ]) {
    const r = await roundTrip(ports.saslSsl, "sarama-refused", env);
    assert.equal(r.values, undefined, `${env.LB_SASL_MECHANISM}: nothing read`);
    assert.notEqual(r.code, 0, `${env.LB_SASL_MECHANISM}: exit code`);
    assert.match(r.stderr, AUTH_FAILED, `${env.LB_SASL_MECHANISM}: ${r.stderr}`);
  }
});

test("sarama produces and consumes over SSL with the CA file, and refuses the broker without it", async () => {
  const r = await roundTrip(ports.ssl, "sarama-ssl", {
    LB_SECURITY_PROTOCOL: "SSL",
    LB_SSL_CA_FILE: ca,
  });
  assert.deepEqual(r, { code: 0, stderr: "", values: VALUES });
  const untrusted = await roundTrip(ports.ssl, "sarama-ssl", { LB_SECURITY_PROTOCOL: "SSL" });
  assert.notEqual(untrusted.code, 0);
  assert.match(untrusted.stderr, /certificate signed by unknown authority/, untrusted.stderr);
});
