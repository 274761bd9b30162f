/**
 * OAUTHBEARER's settings as Kafka takes them: the listener's JAAS config (required),
 * its server callback handler choosing unsecured or signed tokens, and the
 * sasl.oauthbearer.* settings a JWKS needs; start-up refuses what cannot be served.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../src/cli/load-config.js";
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
      /neither a file: nor an http\(s\): URL/,
    ],
    [
      [...BASE, `${LOGIN};`, SIGNED, jwks, "sasl.oauthbearer.expected.issuer=i"],
      /needs sasl.oauthbearer.expected.audience/,
    ],
    [
      [...BASE, `${LOGIN};`, SIGNED, jwks, "sasl.oauthbearer.expected.audience=a"],
      /needs sasl.oauthbearer.expected.issuer/,
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
    "sasl.oauthbearer.allow.unverified.audience=true",
    "sasl.oauthbearer.allow.unverified.issuer=true",
  ]);
});
