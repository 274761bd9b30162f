/**
 * ssl.cipher.suites: Kafka's IANA names become node:tls's `ciphers` (OpenSSL names for
 * TLS 1.2, IANA ones for TLS 1.3); an unknown name stops the start; a TLS version no
 * listed suite serves is not offered, and a list serving no enabled version is refused.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../src/cli/load-config.js";
import { nodeCiphers, versionsServed } from "../src/config/cipher-suites.js";
import { listenerSslSettings } from "../src/config/listener-overrides.js";
import { tlsServerOptions } from "../src/server/tls-credentials.js";

function load(lines: string[]) {
  return loadConfig({
    cli: [],
    env: {},
    configFile: "server.properties",
    readFile: () =>
      ["listeners=SSL://127.0.0.1:0", "ssl.keystore.location=/k.pem", ...lines].join("\n"),
  }).config;
}

test("IANA names become OpenSSL's for TLS 1.2 and stay as they are for TLS 1.3", () => {
  assert.equal(
    nodeCiphers([
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_RSA_WITH_AES_128_CBC_SHA",
      "TLS_AES_128_GCM_SHA256",
    ]),
    "ECDHE-RSA-AES256-GCM-SHA384:AES128-SHA:TLS_AES_128_GCM_SHA256",
  );
  // Java's SSL_ spelling of the oldest suites names the same suite.
  assert.equal(nodeCiphers(["SSL_RSA_WITH_AES_128_CBC_SHA"]), "AES128-SHA");
  assert.equal(nodeCiphers([]), undefined, "no list: OpenSSL's defaults");
  // Java's renegotiation signal (in lists copied from a JVM) is accepted and dropped.
  assert.equal(
    nodeCiphers(["TLS_AES_128_GCM_SHA256", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"]),
    "TLS_AES_128_GCM_SHA256",
  );
  assert.deepEqual(
    versionsServed(
      ["TLSv1.2", "TLSv1.3"],
      ["TLS_AES_128_GCM_SHA256", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"],
    ),
    ["TLSv1.3"],
  );
});

test("an unknown suite name stops the start, naming the setting and the name", () => {
  for (const [line, pattern] of [
    [
      "ssl.cipher.suites=TLS_NO_SUCH_SUITE",
      /invalid ssl\.cipher\.suites: Unknown cipher suite "TLS_NO_SUCH_SUITE"/,
    ],
    [
      "ssl.cipher.suites=TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
      /TLS_EMPTY_RENEGOTIATION_INFO_SCSV alone names no cipher suite/,
    ],
    // An OpenSSL name is not what Kafka takes.
    [
      "ssl.cipher.suites=ECDHE-RSA-AES256-GCM-SHA384",
      /Unknown cipher suite "ECDHE-RSA-AES256-GCM-SHA384"/,
    ],
    [
      "listener.name.ssl.ssl.cipher.suites=TLS_AES_128_GCM_SHA256,BOGUS",
      /invalid listener\.name\.ssl\.ssl\.cipher\.suites: Unknown cipher suite "BOGUS"/,
    ],
  ] as const)
    assert.throws(
      () => load([line]),
      (e: unknown) => e instanceof ConfigError && pattern.test(e.message),
      line,
    );
});

test("per listener: the listener's list wins over ssl.cipher.suites", () => {
  const c = load([
    "listeners=SSL://127.0.0.1:0,ONE2://127.0.0.1:0",
    "listener.security.protocol.map=SSL:SSL,ONE2:SSL",
    "ssl.cipher.suites=TLS_AES_256_GCM_SHA384",
    "listener.name.one2.ssl.cipher.suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  ]);
  const ssl = tlsServerOptions(listenerSslSettings(c, "SSL"));
  const one2 = tlsServerOptions(listenerSslSettings(c, "ONE2"));
  assert.deepEqual(
    [ssl.ciphers, ssl.minVersion, ssl.maxVersion],
    ["TLS_AES_256_GCM_SHA384", "TLSv1.3", "TLSv1.3"],
  );
  assert.deepEqual(
    [one2.ciphers, one2.minVersion, one2.maxVersion],
    ["ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.2", "TLSv1.2"],
  );
});

test("a TLS version no listed suite serves is not offered; none at all is refused", () => {
  const both = ["TLSv1.2", "TLSv1.3"] as const;
  assert.deepEqual(versionsServed(both, []), ["TLSv1.2", "TLSv1.3"]);
  assert.deepEqual(versionsServed(both, ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]), ["TLSv1.2"]);
  assert.deepEqual(versionsServed(both, ["TLS_AES_128_GCM_SHA256"]), ["TLSv1.3"]);
  assert.throws(
    () =>
      load([
        "ssl.enabled.protocols=TLSv1.3",
        "ssl.cipher.suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      ]),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message.includes(
        "SSL listener SSL: no suite of ssl.cipher.suites (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) serves ssl.enabled.protocols (TLSv1.3)",
      ),
  );
});
