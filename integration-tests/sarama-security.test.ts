/**
 * sarama (integration-tests/go/saramadriver's secure-roundtrip, the contract of
 * go/driverkit/secure.go) against a real `logbook start` with a PLAINTEXT listener (to
 * add a SCRAM user, with sarama's admin client) and a SASL_SSL one (SCRAM-SHA-256/512,
 * and PLAIN with users from its JAAS config), certificates made by openssl at test time.
 * What security-matrix.test.ts's sarama row does not: a round trip with SCRAM-SHA-256 and
 * with PLAIN over SASL_SSL, PLAIN's wrong password refused, and the broker's certificate
 * refused when sarama trusts another CA.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { sarama } from "./go/sarama-driver.js";
import { type BrokerProcess, removeDir, startBroker, tempDir } from "./helpers/broker-process.js";
import { freePort } from "./helpers/kafka-process.js";
import { makeCa, makeServerCert } from "./helpers/test-certs.js";
import {
  asOutcome,
  type Credentials,
  driverEnv,
  type Endpoint,
  type Outcome,
} from "./security/endpoint.js";

const PLAIN_JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required user_paul="paul-secret";';
const VALUES = ["v0", "v1", "v2"];

let dir: string;
let ca: string;
/** A CA that did not sign the broker's certificate. */
let otherCa: string;
let broker: BrokerProcess;
let saslSslPort = 0;

before(async () => {
  sarama.build();
  dir = await tempDir("logbook-sarama-sec-");
  ca = makeCa(dir);
  otherCa = makeCa(dir, "other-ca");
  const server = makeServerCert(dir);
  saslSslPort = await freePort();
  const file = join(dir, "server.properties");
  writeFileSync(
    file,
    [
      `listeners=PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:${saslSslPort}`,
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

/** `saramadriver secure-roundtrip` as `sasl` over SASL_SSL, trusting `trusted`. */
async function roundTrip(sasl: Credentials, topic: string, trusted = ca): Promise<Outcome> {
  const e: Endpoint = { port: saslSslPort, protocol: "SASL_SSL", ca: trusted, sasl };
  const args = ["secure-roundtrip", `127.0.0.1:${saslSslPort}`, topic, topic];
  return asOutcome("saramadriver", await sarama.run(args, driverEnv(e)));
}

const alice256: Credentials = {
  mechanism: "SCRAM-SHA-256",
  username: "alice",
  password: "alice-secret",
};
const paul: Credentials = { mechanism: "PLAIN", username: "paul", password: "paul-secret" };

test("sarama produces and consumes over SASL_SSL with SCRAM-SHA-256", async () => {
  assert.deepEqual(await roundTrip(alice256, "sarama-scram-sha-256"), { values: VALUES });
});

test("sarama produces and consumes over SASL_SSL with PLAIN", async () => {
  assert.deepEqual(await roundTrip(paul, "sarama-plain"), { values: VALUES });
});

test("a wrong PLAIN password is refused with SASL_AUTHENTICATION_FAILED", async () => {
  const o = await roundTrip({ ...paul, password: "wrong" }, "sarama-refused");
  assert.ok("error" in o, JSON.stringify(o));
  assert.equal(o.error, "SASL_AUTHENTICATION_FAILED", o.message);
  // PLAIN's refusal says only that the pair is wrong, as Kafka's does.
  assert.match(o.message, /SASL Authentication failed: .*Invalid username or password$/);
});

test("sarama refuses the broker's certificate when it trusts another CA", async () => {
  const o = await roundTrip(alice256, "sarama-untrusted", otherCa);
  assert.ok("error" in o, JSON.stringify(o));
  assert.equal(o.error, "CERTIFICATE_UNTRUSTED", o.message);
  assert.match(o.message, /certificate signed by unknown authority/);
});
