/**
 * The security client matrix (issue #15's "done when"): one `logbook start` with a
 * PLAINTEXT, an SSL, a SASL_PLAINTEXT and a SASL_SSL listener (PLAIN, SCRAM-SHA-256 and
 * SCRAM-SHA-512; certificates made by openssl), the StandardAuthorizer with
 * allow.everyone.if.no.acl.found=false and super.users=User:admin. The admin (PLAIN, from
 * the listeners' JAAS config) gives alice SCRAM credentials with kafka-configs and ACLs
 * with kafkajs's admin, as a user would: alice may create, write and read topics named
 * alice-* and use groups named alice-*; User:ANONYMOUS (PLAINTEXT, SSL) the same on anon-*.
 *
 * Every client of security/matrix-clients.ts then, on SASL_SSL: makes a round trip as
 * alice; is refused without SASL and with a wrong password, each with the error its
 * client reports; and is refused a topic outside alice's ACLs with a topic authorization
 * error. Round trips on the other listener types for the clients the other listener
 * files do not cover (franz-go, sarama, @platformatic/kafka, kafka-python over SSL).
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import kafkajs, { Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker, tempDir } from "./helpers/broker-process.js";
import { freePort, runKafkaTool } from "./helpers/kafka-process.js";
import { makeCa, makeServerCert } from "./helpers/test-certs.js";
import type { Credentials, Endpoint, Outcome, SecurityProtocol } from "./security/endpoint.js";
import { MATRIX_CLIENTS, type MatrixClient } from "./security/matrix-clients.js";

// kafkajs's ACL enums are not visible as ESM named exports (CommonJS module).
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

const ADMIN = { username: "admin", password: "admin-secret" } as const;
const ALICE: Credentials = {
  mechanism: "SCRAM-SHA-512",
  username: "alice",
  password: "alice-secret",
};
const PLAIN_JAAS = `org.apache.kafka.common.security.plain.PlainLoginModule required user_${ADMIN.username}="${ADMIN.password}";`;

let dir: string;
let ca: string;
let broker: BrokerProcess;
const ports: Record<SecurityProtocol, number> = {
  PLAINTEXT: 0,
  SSL: 0,
  SASL_PLAINTEXT: 0,
  SASL_SSL: 0,
};

/** Each client's topics and groups get its own suffix. */
const slug = (c: MatrixClient) =>
  c.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/** The super user, over SASL_PLAINTEXT with PLAIN. */
const superUser = () =>
  new Kafka({
    clientId: "security-matrix-admin",
    brokers: [`127.0.0.1:${ports.SASL_PLAINTEXT}`],
    logLevel: logLevel.NOTHING,
    sasl: { mechanism: "plain", ...ADMIN },
  });

async function adminCreatesAliceAndAcls(): Promise<void> {
  const commandConfig = join(dir, "admin.properties");
  writeFileSync(
    commandConfig,
    [
      "security.protocol=SASL_PLAINTEXT",
      "sasl.mechanism=PLAIN",
      `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${ADMIN.username}" password="${ADMIN.password}";`,
    ].join("\n"),
  );
  // One mechanism per call: a request may name a user once (as on Kafka).
  for (const mechanism of ["SCRAM-SHA-256", "SCRAM-SHA-512"]) {
    const scram = await runKafkaTool("org.apache.kafka.tools.ConfigCommand", [
      "--bootstrap-server",
      `127.0.0.1:${ports.SASL_PLAINTEXT}`,
      "--command-config",
      commandConfig,
      "--alter",
      "--entity-type",
      "users",
      "--entity-name",
      ALICE.username,
      "--add-config",
      `${mechanism}=[password=${ALICE.password}]`,
    ]);
    assert.equal(scram.code, 0, scram.stderr);
  }

  const admin = superUser().admin();
  await admin.connect();
  try {
    const allow = (principal: string, prefix: string) => [
      ...[AclOperationTypes.CREATE, AclOperationTypes.WRITE, AclOperationTypes.READ].map(
        (operation) => ({
          resourceType: AclResourceTypes.TOPIC,
          resourceName: prefix,
          resourcePatternType: ResourcePatternTypes.PREFIXED,
          principal,
          host: "*",
          operation,
          permissionType: AclPermissionTypes.ALLOW,
        }),
      ),
      {
        resourceType: AclResourceTypes.GROUP,
        resourceName: prefix,
        resourcePatternType: ResourcePatternTypes.PREFIXED,
        principal,
        host: "*",
        operation: AclOperationTypes.READ,
        permissionType: AclPermissionTypes.ALLOW,
      },
    ];
    await admin.createAcls({
      acl: [...allow("User:alice", "alice-"), ...allow("User:ANONYMOUS", "anon-")],
    });
  } finally {
    await admin.disconnect();
  }
}

before(async () => {
  for (const c of MATRIX_CLIENTS) c.prepare();
  dir = await tempDir("logbook-security-matrix-");
  ca = makeCa(dir);
  const server = makeServerCert(dir);
  ports.SSL = await freePort();
  ports.SASL_PLAINTEXT = await freePort();
  ports.SASL_SSL = await freePort();
  const props = [
    `listeners=PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:${ports.SSL},SASL_PLAINTEXT://127.0.0.1:${ports.SASL_PLAINTEXT},SASL_SSL://127.0.0.1:${ports.SASL_SSL}`,
    "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
    `listener.name.sasl_plaintext.plain.sasl.jaas.config=${PLAIN_JAAS}`,
    `listener.name.sasl_ssl.plain.sasl.jaas.config=${PLAIN_JAAS}`,
    "ssl.keystore.type=PEM",
    `ssl.keystore.location=${server.keystore}`,
    "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
    "allow.everyone.if.no.acl.found=false",
    "super.users=User:admin",
  ];
  const file = join(dir, "server.properties");
  writeFileSync(file, props.join("\n"));
  broker = await startBroker({ args: ["--config", file] });
  ports.PLAINTEXT = broker.port;
  await adminCreatesAliceAndAcls();
});

after(async () => {
  await broker?.stop();
  await removeDir(broker?.dataDir ?? "");
  await removeDir(dir);
});

const endpoint = (
  listener: SecurityProtocol,
  protocol: SecurityProtocol = listener,
  sasl?: Credentials,
): Endpoint => ({ port: ports[listener], protocol, ca, ...(sasl === undefined ? {} : { sasl }) });

const aliceOverSaslSsl = () => endpoint("SASL_SSL", "SASL_SSL", ALICE);

const describe = (o: Outcome) =>
  "values" in o ? `values ${o.values.join(",")}` : `${o.error}: ${o.message}`;

function assertRefused(o: Outcome, kind: RegExp, what: string): void {
  assert.ok(!("values" in o), `${what}: not refused (${describe(o)})`);
  assert.match(`${o.error}: ${o.message}`, kind, what);
}

test("on SASL_SSL every client makes a round trip as alice", async (t) => {
  for (const c of MATRIX_CLIENTS)
    await t.test(c.name, async () => {
      const s = slug(c);
      const o = await c.roundTrip(aliceOverSaslSsl(), `alice-${s}`, `alice-${s}`);
      assert.deepEqual(o, { values: ["v0", "v1", "v2"] }, describe(o));
    });
});

test("on SASL_SSL a client without SASL is refused", async (t) => {
  for (const c of MATRIX_CLIENTS)
    await t.test(c.name, async () => {
      const s = slug(c);
      const o = await c.roundTrip(endpoint("SASL_SSL", "SSL"), `alice-none-${s}`, `alice-${s}`);
      assertRefused(o, c.refused.noCredentials, c.name);
    });
});

test("on SASL_SSL a wrong password is refused with an authentication error", async (t) => {
  for (const c of MATRIX_CLIENTS)
    await t.test(c.name, async () => {
      const s = slug(c);
      const wrong = { ...ALICE, password: "not-alice-secret" };
      const o = await c.roundTrip(
        endpoint("SASL_SSL", "SASL_SSL", wrong),
        `alice-wrong-${s}`,
        `alice-${s}`,
      );
      assertRefused(o, c.refused.wrongPassword, c.name);
    });
});

test("alice is refused a topic outside her ACLs with a topic authorization error", async (t) => {
  for (const c of MATRIX_CLIENTS)
    await t.test(c.name, async () => {
      const s = slug(c);
      const o = await c.roundTrip(aliceOverSaslSsl(), `secret-${s}`, `alice-${s}`);
      assertRefused(o, c.refused.deniedTopic, c.name);
    });
});

test("a refused client created nothing: no topic of the refusal cases exists", async () => {
  const admin = superUser().admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    assert.deepEqual(
      topics.filter((t) => /^(secret|alice-none|alice-wrong)-/.test(t)),
      [],
    );
    // The round trips' topics are there, so the listing is not empty by accident.
    for (const c of MATRIX_CLIENTS) assert.ok(topics.includes(`alice-${slug(c)}`), c.name);
  } finally {
    await admin.disconnect();
  }
});

test("round trips on the other listener types the listener files do not cover", async (t) => {
  for (const c of MATRIX_CLIENTS)
    for (const listener of c.listeners)
      await t.test(`${c.name} over ${listener}`, async () => {
        const anonymous = !listener.startsWith("SASL_");
        const prefix = anonymous ? "anon" : "alice";
        const name = `${prefix}-${listener.toLowerCase()}-${slug(c)}`;
        const o = await c.roundTrip(
          endpoint(
            listener,
            listener,
            anonymous ? undefined : { ...ALICE, mechanism: "SCRAM-SHA-256" },
          ),
          name,
          name,
        );
        assert.deepEqual(o, { values: ["v0", "v1", "v2"] }, describe(o));
      });
});
