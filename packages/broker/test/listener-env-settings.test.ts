/**
 * listener.name.* settings from LOGBOOK_* variables, by the rule of Confluent's and
 * Bitnami's Kafka images (`_` a dot, `__` an underscore, `___` a dash), beside the plain
 * mapping every other setting keeps.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../src/cli/load-config.js";
import { listenerOverride, listenerSslSettings } from "../src/config/listener-overrides.js";
import { envVarName, propertyOfEnvVar } from "../src/config/schema.js";
import { saslSettingsOf } from "../src/sasl/sasl-settings-of.js";

const fromEnv = (env: Record<string, string>) => loadConfig({ cli: [], env });

test("the image rule: ___ is a dash, __ an underscore, _ a dot", () => {
  assert.equal(
    propertyOfEnvVar("LOGBOOK_LISTENER_NAME_SASL__SSL_SCRAM___SHA___256_SASL_JAAS_CONFIG"),
    "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config",
  );
  assert.equal(
    propertyOfEnvVar("LOGBOOK_LISTENER_NAME_SSL2_SSL_KEYSTORE_LOCATION"),
    "listener.name.ssl2.ssl.keystore.location",
  );
  assert.equal(propertyOfEnvVar("LOGBOOK_NUM_PARTITIONS"), "num.partitions");
});

test("a second SSL listener configured from the environment alone", () => {
  const loaded = fromEnv({
    LOGBOOK_LISTENERS: "PLAINTEXT://127.0.0.1:0,SSL2://127.0.0.1:0",
    LOGBOOK_LISTENER_SECURITY_PROTOCOL_MAP: "PLAINTEXT:PLAINTEXT,SSL2:SSL",
    LOGBOOK_LISTENER_NAME_SSL2_SSL_KEYSTORE_LOCATION: "/keys/ssl2.pem",
    LOGBOOK_LISTENER_NAME_SSL2_SSL_CLIENT_AUTH: "required",
    LOGBOOK_LISTENER_NAME_SSL2_SSL_TRUSTSTORE_LOCATION: "/keys/ca.pem",
  });
  assert.deepEqual(loaded.warnings, []);
  const ssl = listenerSslSettings(loaded.config, "SSL2");
  assert.equal(ssl.keystoreLocation, "/keys/ssl2.pem");
  assert.equal(ssl.clientAuth, "required");
  assert.equal(ssl.truststoreLocation, "/keys/ca.pem");
  assert.equal(listenerSslSettings(loaded.config, "PLAINTEXT").keystoreLocation, "");
});

test("listener names with an underscore and mechanisms with a dash", () => {
  const jaas =
    'org.apache.kafka.common.security.scram.ScramLoginModule required username="a" password="b";';
  const plain =
    'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";';
  const { config, warnings } = fromEnv({
    LOGBOOK_LISTENERS: "SASL_PLAINTEXT://127.0.0.1:0",
    LOGBOOK_LISTENER_NAME_SASL__PLAINTEXT_SASL_ENABLED_MECHANISMS: "PLAIN,SCRAM-SHA-256",
    LOGBOOK_LISTENER_NAME_SASL__PLAINTEXT_SCRAM___SHA___256_SASL_JAAS_CONFIG: jaas,
    LOGBOOK_LISTENER_NAME_SASL__PLAINTEXT_PLAIN_SASL_JAAS_CONFIG: plain,
  });
  assert.deepEqual(warnings, []);
  assert.equal(listenerOverride(config, "SASL_PLAINTEXT", "scram-sha-256.sasl.jaas.config"), jaas);
  const sasl = saslSettingsOf(config).listener("SASL_PLAINTEXT");
  assert.deepEqual(sasl.mechanisms, ["PLAIN", "SCRAM-SHA-256"]);
  assert.deepEqual(sasl.plainUsers, new Map([["alice", "alice-secret"]]));
});

test("the environment overrides the file for one listener's setting, as for any setting", () => {
  const { config } = loadConfig({
    cli: [],
    configFile: "server.properties",
    readFile: () =>
      "listeners=SSL://127.0.0.1:0\nlistener.name.ssl.ssl.keystore.location=/file.pem\n",
    env: { LOGBOOK_LISTENER_NAME_SSL_SSL_KEYSTORE_LOCATION: "/env.pem" },
  });
  assert.equal(listenerSslSettings(config, "SSL").keystoreLocation, "/env.pem");
});

test("the plain mapping keeps working, and image-rule names of plain settings are the same", () => {
  assert.equal(envVarName("log.retention.ms"), "LOGBOOK_LOG_RETENTION_MS");
  const { config, warnings } = fromEnv({
    LOGBOOK_NUM_PARTITIONS: "3",
    LOGBOOK_LOG_RETENTION_MS: "1000",
  });
  assert.deepEqual(warnings, []);
  assert.equal(config.numPartitions, 3);
  assert.equal(config.logDefaults.retentionMs, 1000);
});

test("a mistyped listener variable warns; a refused value names its variable", () => {
  assert.deepEqual(
    fromEnv({ LOGBOOK_LISTENER_NAME_SSL_SSL_KEYSTORE_LOCATON: "/k.pem" }).warnings.map((w) =>
      w.replace(/;.*/, ""),
    ),
    ['unknown property "LOGBOOK_LISTENER_NAME_SSL_SSL_KEYSTORE_LOCATON" (environment) ignored'],
  );
  assert.throws(
    () => fromEnv({ LOGBOOK_LISTENER_NAME_SSL_SSL_CLIENT_AUTH: "sometimes" }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message.startsWith(
        "LOGBOOK_LISTENER_NAME_SSL_SSL_CLIENT_AUTH: invalid listener.name.ssl.ssl.client.auth",
      ),
  );
});
