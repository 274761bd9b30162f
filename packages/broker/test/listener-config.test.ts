/**
 * Several listeners with Kafka's settings: what `listeners`, `advertised.listeners`,
 * the protocol map and the per-listener SSL overrides make of a configuration, and the
 * start-up errors Kafka gives for the same mistakes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, type ConfigSources, loadConfig } from "../src/cli/load-config.js";
import { planListeners } from "../src/config/listener-plan.js";
import { saslSettingsOf } from "../src/sasl/sasl-settings-of.js";

function load(lines: string[], more: Partial<ConfigSources> = {}) {
  return loadConfig({
    cli: [],
    env: {},
    configFile: "server.properties",
    readFile: () => lines.join("\n"),
    ...more,
  }).config;
}

const KEY = ["ssl.keystore.location=/keys/server.pem"];

test("several listeners: each with its protocol, port and advertised address", () => {
  const plans = planListeners(
    load([
      "listeners=PLAINTEXT://127.0.0.1:9092,SSL://0.0.0.0:9093,INTERNAL://127.0.0.1:0",
      "advertised.listeners=SSL://kafka.example:19093",
      "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SSL:SSL,INTERNAL:PLAINTEXT",
      ...KEY,
    ]),
  );
  assert.deepEqual(
    plans.map((p) => [
      p.name,
      p.securityProtocol,
      p.host,
      p.port,
      p.advertisedHost,
      p.advertisedPort,
    ]),
    [
      ["PLAINTEXT", "PLAINTEXT", "127.0.0.1", 9092, "127.0.0.1", 0],
      ["SSL", "SSL", "0.0.0.0", 9093, "kafka.example", 19093],
      ["INTERNAL", "PLAINTEXT", "127.0.0.1", 0, "127.0.0.1", 0],
    ],
  );
  assert.equal(plans[0]?.ssl, null);
  assert.equal(plans[1]?.ssl?.keystoreLocation, "/keys/server.pem");
  // As Kafka, a listener advertised.listeners leaves out is not advertised at all.
  assert.deepEqual(
    plans.map((p) => p.advertised),
    [false, true, false],
  );
});

test("without advertised.listeners every listener is advertised; advertised.host keeps the first one", () => {
  const both = ["listeners=PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9093", ...KEY];
  assert.deepEqual(
    planListeners(load(both)).map((p) => p.advertised),
    [true, true],
  );
  const onlySsl = [...both, "advertised.listeners=SSL://kafka.example:9093"];
  assert.deepEqual(
    planListeners(load(onlySsl, { cli: [["advertised.host", "front.example"]] })).map((p) => [
      p.advertised,
      p.advertisedHost,
    ]),
    [
      [true, "front.example"],
      [true, "kafka.example"],
    ],
  );
});

test("host and port still define the first listener and win over listeners", () => {
  const c = load(["listeners=PLAINTEXT://:9092,SSL://:9093", ...KEY], { cli: [["port", "0"]] });
  const plans = planListeners(c);
  assert.deepEqual(
    plans.map((p) => [p.name, p.host, p.port]),
    [
      ["PLAINTEXT", "0.0.0.0", 0],
      ["SSL", "0.0.0.0", 9093],
    ],
  );
  assert.equal(plans[0]?.advertisedHost, "127.0.0.1", "0.0.0.0 is advertised as 127.0.0.1");
  // The first listener may be SSL itself; host/port then move that one.
  const sslFirst = planListeners(
    load(["listeners=SSL://:9093", ...KEY], { cli: [["host", "127.0.0.1"]] }),
  );
  assert.deepEqual(
    sslFirst.map((p) => [p.name, p.securityProtocol, p.host]),
    [["SSL", "SSL", "127.0.0.1"]],
  );
});

test("per-listener SSL settings: listener.name.<name>.ssl.* overrides ssl.* for that listener only", () => {
  const plans = planListeners(
    load([
      "listeners=SSL://:9093,MTLS://:9094",
      "listener.security.protocol.map=SSL:SSL,MTLS:SSL",
      ...KEY,
      "ssl.enabled.protocols=TLSv1.3",
      "listener.name.mtls.ssl.client.auth=required",
      "listener.name.mtls.ssl.truststore.location=/keys/ca.pem",
      "listener.name.mtls.ssl.principal.mapping.rules=RULE:^CN=(.*?),.*$/$1/,DEFAULT",
    ]),
  );
  const [ssl, mtls] = plans.map((p) => p.ssl);
  assert.equal(ssl?.clientAuth, "none");
  assert.equal(mtls?.clientAuth, "required");
  assert.equal(mtls?.truststoreLocation, "/keys/ca.pem");
  assert.deepEqual(mtls?.enabledProtocols, ["TLSv1.3"], "the rest comes from ssl.*");
  assert.equal(mtls?.principalMappingRules, "RULE:^CN=(.*?),.*$/$1/,DEFAULT");
});

test("Kafka's start-up errors for listener mistakes", () => {
  const cases: [string[], RegExp][] = [
    [
      ["listeners=PLAINTEXT://:9092,PLAINTEXT://:9093"],
      /Each listener must have a different name, listeners: PLAINTEXT:\/\/0\.0\.0\.0:9092,PLAINTEXT:\/\/0\.0\.0\.0:9093/,
    ],
    [["listeners=PLAINTEXT://:9092,OTHER://:9092"], /Each listener must have a different port/],
    [
      ["listeners=PLAINTEXT://:9092,INTERNAL://:9093"],
      /No security protocol defined for listener INTERNAL/,
    ],
    [
      [
        "listeners=PLAINTEXT://:9092",
        "advertised.listeners=PLAINTEXT://a:1,EXTERNAL://b:2",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,EXTERNAL:PLAINTEXT",
      ],
      /advertised.listeners listener names must be equal to or a subset of the ones defined in listeners. Found PLAINTEXT,EXTERNAL/,
    ],
    [
      ["advertised.listeners=PLAINTEXT://0.0.0.0:9092"],
      /advertised.listeners cannot use the nonroutable meta-address 0.0.0.0/,
    ],
    [
      ["inter.broker.listener.name=PLAINTEXT", "security.inter.broker.protocol=PLAINTEXT"],
      /Only one of inter.broker.listener.name and security.inter.broker.protocol should be set/,
    ],
    [
      ["inter.broker.listener.name=REPLICATION"],
      /inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are PLAINTEXT/,
    ],
    [["listener.security.protocol.map=PLAINTEXT"], /Map entry 'PLAINTEXT' is improperly formatted/],
    [
      ["listener.security.protocol.map=PLAINTEXT:TLS"],
      /TLS for PLAINTEXT is not a security protocol/,
    ],
    [
      ["listeners=SASL_PLAINTEXT://:9092"],
      /SASL listener SASL_PLAINTEXT: SASL mechanism GSSAPI is not served \(Logbook serves PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER; set sasl.enabled.mechanisms\)/,
    ],
    [
      ["listeners=SASL_PLAINTEXT://:9092", "sasl.enabled.mechanisms=PLAIN"],
      /SASL listener SASL_PLAINTEXT enables PLAIN but has no users: set listener.name.sasl_plaintext.plain.sasl.jaas.config/,
    ],
    [
      [
        "listeners=SASL_PLAINTEXT://:9092",
        "sasl.enabled.mechanisms=PLAIN",
        "listener.name.sasl_plaintext.plain.sasl.jaas.config=Module required user_a=b",
      ],
      /listener.name.sasl_plaintext.plain.sasl.jaas.config: JAAS config entry not terminated by semi-colon/,
    ],
    [
      [
        "listeners=SASL_SSL://:9092",
        "listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-256,GSSAPI",
      ],
      /SASL listener SASL_SSL: SASL mechanism GSSAPI is not served/,
    ],
    [["listeners=SSL://:9093"], /SSL listener SSL has no key: set ssl.keystore.location/],
    [
      ["listeners=SSL://:9093", ...KEY, "ssl.keystore.type=JKS"],
      /ssl.keystore.type=JKS is not supported: Logbook reads PEM/,
    ],
    [
      ["listeners=SSL://:9093", ...KEY, "ssl.client.auth=required"],
      /ssl.client.auth=required needs the CA certificates/,
    ],
    [
      ["listeners=SSL://:9093", "ssl.keystore.key=x"],
      /ssl.keystore.key and ssl.keystore.certificate.chain go together/,
    ],
    [["ssl.enabled.protocols=TLSv1.2,SSLv3"], /Unknown value "SSLv3"/],
    [["ssl.client.auth=sometimes"], /String must be one of: none, requested, required/],
    [["ssl.principal.mapping.rules=RULE:broken"], /Invalid rule: RULE:broken/],
    [["listener.name.ssl.ssl.client.auth=maybe"], /listener.name.ssl.ssl.client.auth/],
  ];
  for (const [lines, pattern] of cases)
    assert.throws(
      () => load(lines),
      (e: unknown) => e instanceof ConfigError && pattern.test(e.message),
      lines.join(" | "),
    );
});

test("SASL listeners: per-listener mechanisms and PLAIN users from the JAAS config", () => {
  const c = load([
    "listeners=PLAINTEXT://:9092,SASL_PLAINTEXT://:9093,SASL_SSL://:9094",
    ...KEY,
    "sasl.enabled.mechanisms=SCRAM-SHA-512",
    "listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256",
    'listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";',
  ]);
  const plan = planListeners(c);
  assert.deepEqual(
    plan.map((l) => [l.name, l.securityProtocol, l.ssl !== null]),
    [
      ["PLAINTEXT", "PLAINTEXT", false],
      ["SASL_PLAINTEXT", "SASL_PLAINTEXT", false],
      ["SASL_SSL", "SASL_SSL", true],
    ],
  );
  const sasl = saslSettingsOf(c);
  assert.deepEqual(sasl.listener("SASL_PLAINTEXT").mechanisms, ["PLAIN", "SCRAM-SHA-256"]);
  assert.deepEqual(
    sasl.listener("SASL_PLAINTEXT").plainUsers,
    new Map([["alice", "alice-secret"]]),
  );
  assert.deepEqual(sasl.listener("SASL_SSL").mechanisms, ["SCRAM-SHA-512"]);
  assert.equal(sasl.listener("SASL_SSL").plainUsers.size, 0);
});

test("a listener that gives inter.broker.listener.name is accepted when it is advertised", () => {
  const c = load([
    "listeners=PLAINTEXT://:9092,REPLICATION://:9094",
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,REPLICATION:PLAINTEXT",
    "inter.broker.listener.name=replication",
  ]);
  assert.equal(planListeners(c).length, 2);
});
