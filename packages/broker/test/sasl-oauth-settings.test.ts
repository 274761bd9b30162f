/**
 * OAUTHBEARER's settings as Kafka takes them: the listener's JAAS config (required),
 * its server callback handler choosing unsecured or signed tokens, and the
 * sasl.oauthbearer.* settings a JWKS needs; start-up refuses what cannot be served.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../src/cli/load-config.js";
import { listenerOAuthSettings } from "../src/config/listener-overrides.js";
import { SignedJwtValidator } from "../src/sasl/oauth-jwt-validator.js";
import { UnsecuredJwsValidator } from "../src/sasl/oauth-unsecured-validator.js";
import { saslSettingsOf } from "../src/sasl/sasl-settings-of.js";

const LOGIN =
  "listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required";
const BASE = ["listeners=SASL_PLAINTEXT://:9092", "sasl.enabled.mechanisms=OAUTHBEARER"];
const SIGNED =
  "listener.name.sasl_plaintext.oauthbearer.sasl.server.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler";

function load(lines: string[]) {
  return loadConfig({
    cli: [],
    env: {},
    configFile: "server.properties",
    readFile: () => lines.join("\n"),
  }).config;
}

test("unset callback handler: unsecured tokens with the JAAS options", () => {
  const c = load([...BASE, `${LOGIN} unsecuredValidatorRequiredScope="a b";`]);
  const s = saslSettingsOf(c).listener("SASL_PLAINTEXT");
  assert.deepEqual(s.mechanisms, ["OAUTHBEARER"]);
  assert.ok(s.oauthValidator instanceof UnsecuredJwsValidator);
});

test("Kafka's OAuthBearerValidatorCallbackHandler: signed tokens against the JWKS", () => {
  const c = load([
    ...BASE,
    `${LOGIN};`,
    SIGNED,
    "sasl.oauthbearer.jwks.endpoint.url=file:///keys/jwks.json",
    "org.apache.kafka.sasl.oauthbearer.allowed.urls=https://idp.test/jwks, file:///keys/jwks.json",
    "sasl.oauthbearer.expected.audience=logbook,other",
    "sasl.oauthbearer.expected.issuer=https://issuer.test",
    "sasl.oauthbearer.clock.skew.seconds=5",
    "sasl.oauthbearer.jwt.validator.class=org.apache.kafka.common.security.oauthbearer.BrokerJwtValidator",
  ]);
  assert.deepEqual(c.oauth.expectedAudience, ["logbook", "other"]);
  assert.equal(c.oauth.clockSkewSeconds, 5);
  const s = saslSettingsOf(c).listener("SASL_PLAINTEXT");
  assert.ok(s.oauthValidator instanceof SignedJwtValidator);
});

test("start-up refuses OAUTHBEARER settings that cannot be served", () => {
  const jwks = "sasl.oauthbearer.jwks.endpoint.url=https://idp.test/jwks";
  const allowed = "org.apache.kafka.sasl.oauthbearer.allowed.urls=https://idp.test/jwks";
  const cases: [string[], RegExp][] = [
    [BASE, /SASL listener SASL_PLAINTEXT enables OAUTHBEARER but has no JAAS config/],
    [
      [...BASE, `${LOGIN} unsecuredValidatorAllowableClockSkewMs=-5;`],
      /unsecuredValidatorAllowableClockSkewMs: -5/,
    ],
    [
      [
        ...BASE,
        `${LOGIN};`,
        "listener.name.sasl_plaintext.oauthbearer.sasl.server.callback.handler.class=com.example.Mine",
      ],
      /class com.example.Mine is not served/,
    ],
    [[...BASE, `${LOGIN};`, SIGNED], /set sasl.oauthbearer.jwks.endpoint.url/],
    [
      [...BASE, `${LOGIN};`, "sasl.oauthbearer.jwt.validator.class=com.example.Validator"],
      /Class com.example.Validator cannot be found/,
    ],
    [
      [...BASE, `${LOGIN};`, SIGNED, "sasl.oauthbearer.jwks.endpoint.url=ldap://x/keys"],
      /contains a URL \(ldap:\/\/x\/keys\) that contains an invalid protocol \(ldap\); only "http", "https", and "file" protocol are supported/,
    ],
    [
      [...BASE, `${LOGIN};`, SIGNED, "sasl.oauthbearer.jwks.endpoint.url=not a url"],
      /contains a URL \(not a url\) that is malformed/,
    ],
    [
      [...BASE, `${LOGIN};`, SIGNED, jwks, allowed, "sasl.oauthbearer.expected.issuer=i"],
      /needs sasl.oauthbearer.expected.audience/,
    ],
    [
      [...BASE, `${LOGIN};`, SIGNED, jwks, allowed, "sasl.oauthbearer.expected.audience=a"],
      /needs sasl.oauthbearer.expected.issuer/,
    ],
    [
      [
        ...BASE,
        `${LOGIN} ssl.truststore.type="JKS" ssl.truststore.location="/x.jks";`,
        SIGNED,
        jwks,
        allowed,
        "sasl.oauthbearer.expected.audience=a",
        "sasl.oauthbearer.expected.issuer=i",
      ],
      /ssl.truststore.type: JKS is not served \(PEM only\)/,
    ],
    [
      [
        ...BASE,
        `${LOGIN} ssl.keystore.location="/client.pem";`,
        SIGNED,
        jwks,
        allowed,
        "sasl.oauthbearer.expected.audience=a",
        "sasl.oauthbearer.expected.issuer=i",
      ],
      /ssl.keystore.location: a client certificate for the JWKS endpoint is not served/,
    ],
  ];
  for (const [lines, pattern] of cases)
    assert.throws(
      () => load(lines),
      (e: unknown) => e instanceof ConfigError && pattern.test(e.message),
      lines.join(" | "),
    );
  // Kafka's opt-outs leave audience and issuer unchecked.
  load([
    ...BASE,
    `${LOGIN};`,
    SIGNED,
    jwks,
    allowed,
    "sasl.oauthbearer.allow.unverified.audience=true",
    "sasl.oauthbearer.allow.unverified.issuer=true",
  ]);
});

const NOT_ALLOWED = (url: string) =>
  `Invalid value ${url} for configuration sasl.oauthbearer.jwks.endpoint.url: The URL cannot be accessed due to restrictions. Update the setting 'org.apache.kafka.sasl.oauthbearer.allowed.urls' to allow the URL to be accessed.`;

test("Kafka 4's allowed URLs: none by default, each listed as written (file: URLs too)", () => {
  const signed = (url: string, more: string[] = []) => [
    ...BASE,
    `${LOGIN};`,
    SIGNED,
    `sasl.oauthbearer.jwks.endpoint.url=${url}`,
    "sasl.oauthbearer.allow.unverified.audience=true",
    "sasl.oauthbearer.allow.unverified.issuer=true",
    ...more,
  ];
  assert.deepEqual(load(["listeners=PLAINTEXT://:9092"]).oauth.allowedUrls, []);
  for (const [url, allowedUrls] of [
    ["https://idp.test/jwks", ""],
    ["file:///keys/jwks.json", ""],
    ["https://idp.test/jwks", "https://idp.test/"],
    ["https://idp.test/jwks", "https://idp.test/jwks/"],
    ["file:///keys/jwks.json", "file:/keys/jwks.json"],
  ] as const) {
    const more =
      allowedUrls === "" ? [] : [`org.apache.kafka.sasl.oauthbearer.allowed.urls=${allowedUrls}`];
    assert.throws(
      () => load(signed(url, more)),
      (e: unknown) => e instanceof ConfigError && e.message.includes(NOT_ALLOWED(url)),
      `${url} with ${allowedUrls}`,
    );
  }
  const c = load(
    signed("https://idp.test/jwks", [
      "org.apache.kafka.sasl.oauthbearer.allowed.urls= file:///other , https://idp.test/jwks ",
    ]),
  );
  assert.deepEqual(c.oauth.allowedUrls, ["file:///other", "https://idp.test/jwks"]);
  // Like any setting, from the environment or --override too.
  const fromEnv = loadConfig({
    cli: [],
    env: { LOGBOOK_ORG_APACHE_KAFKA_SASL_OAUTHBEARER_ALLOWED_URLS: "https://a.test/jwks" },
    overrides: [],
  }).config;
  assert.deepEqual(fromEnv.oauth.allowedUrls, ["https://a.test/jwks"]);
  const fromOverride = loadConfig({
    cli: [],
    env: {},
    overrides: ["org.apache.kafka.sasl.oauthbearer.allowed.urls=file:///k.json"],
  }).config;
  assert.deepEqual(fromOverride.oauth.allowedUrls, ["file:///k.json"]);
  // Unsecured tokens fetch nothing, so need nothing allowed.
  load([...BASE, `${LOGIN};`, "sasl.oauthbearer.jwks.endpoint.url=https://idp.test/jwks"]);
});

test("per listener: listener.name.<l>.[oauthbearer.]sasl.oauthbearer.* over the broker-wide setting", () => {
  const c = load([
    "listeners=A://:9092,B://:9093,C://:9094",
    "listener.security.protocol.map=A:SASL_PLAINTEXT,B:SASL_PLAINTEXT,C:SASL_PLAINTEXT",
    "sasl.enabled.mechanisms=OAUTHBEARER",
    ...["a", "b", "c"].flatMap((l) => [
      `listener.name.${l}.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;`,
      `listener.name.${l}.oauthbearer.sasl.server.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler`,
    ]),
    "sasl.oauthbearer.jwks.endpoint.url=https://idp.test/jwks",
    "sasl.oauthbearer.expected.audience=everyone",
    "sasl.oauthbearer.expected.issuer=https://idp.test",
    // A: both listener forms; the mechanism-prefixed one wins, as in Kafka.
    "listener.name.a.oauthbearer.sasl.oauthbearer.jwks.endpoint.url=https://a.test/jwks",
    "listener.name.a.sasl.oauthbearer.jwks.endpoint.url=https://ignored.test/jwks",
    "listener.name.a.oauthbearer.sasl.oauthbearer.expected.issuer=https://a.test",
    "listener.name.a.oauthbearer.sasl.oauthbearer.clock.skew.seconds=5",
    // B: the listener form without the mechanism.
    "listener.name.b.sasl.oauthbearer.expected.audience=b1,b2",
    "listener.name.b.sasl.oauthbearer.sub.claim.name=client_id",
    "org.apache.kafka.sasl.oauthbearer.allowed.urls=https://idp.test/jwks,https://a.test/jwks",
  ]);
  const [a, b, other] = ["A", "B", "C"].map((l) => listenerOAuthSettings(c, l));
  assert.deepEqual(
    [a, b, other].map((o) => [
      o?.jwksEndpointUrl,
      o?.expectedIssuer,
      o?.expectedAudience,
      o?.clockSkewSeconds,
      o?.subClaimName,
    ]),
    [
      ["https://a.test/jwks", "https://a.test", ["everyone"], 5, "sub"],
      ["https://idp.test/jwks", "https://idp.test", ["b1", "b2"], 30, "client_id"],
      ["https://idp.test/jwks", "https://idp.test", ["everyone"], 30, "sub"],
    ],
  );
  for (const l of ["A", "B", "C"])
    assert.ok(saslSettingsOf(c).listener(l).oauthValidator instanceof SignedJwtValidator);
  // A listener's value is checked with the setting's kind, and its URL against the list.
  assert.throws(
    () =>
      load([
        ...BASE,
        "listener.name.sasl_plaintext.oauthbearer.sasl.oauthbearer.clock.skew.seconds=-1",
      ]),
    ConfigError,
  );
  assert.throws(
    () =>
      load([
        ...BASE,
        `${LOGIN};`,
        SIGNED,
        "sasl.oauthbearer.allow.unverified.audience=true",
        "sasl.oauthbearer.allow.unverified.issuer=true",
        "sasl.oauthbearer.jwks.endpoint.url=https://idp.test/jwks",
        "org.apache.kafka.sasl.oauthbearer.allowed.urls=https://idp.test/jwks",
        "listener.name.sasl_plaintext.oauthbearer.sasl.oauthbearer.jwks.endpoint.url=https://b.test/jwks",
      ]),
    (e: unknown) =>
      e instanceof ConfigError && e.message.includes(NOT_ALLOWED("https://b.test/jwks")),
  );
  // The system property's name is broker-wide only.
  assert.throws(
    () =>
      load([
        ...BASE,
        "listener.name.sasl_plaintext.org.apache.kafka.sasl.oauthbearer.allowed.urls=x",
      ]),
    ConfigError,
  );
});
