/**
 * OAUTHBEARER's token checks: Kafka's unsecured development tokens (alg "none") with
 * their JAAS options, and signed JWTs against a JWKS file with the sasl.oauthbearer.*
 * settings: expiry, issue time, audience, issuer, scope, signature, "none" refused.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pathToFileURL } from "node:url";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { DEFAULT_BROKER_CONFIG } from "../src/config/broker-config.js";
import type { OAuthConfig } from "../src/config/oauth-settings.js";
import { JaasConfigError } from "../src/sasl/jaas-config.js";
import { DEFAULT_JWKS_TLS } from "../src/sasl/oauth-jwks-source.js";
import { SignedJwtValidator } from "../src/sasl/oauth-jwt-validator.js";
import { TokenRefusedError } from "../src/sasl/oauth-token.js";
import {
  UnsecuredJwsValidator,
  unsecuredValidatorOptions,
} from "../src/sasl/oauth-unsecured-validator.js";

type Key = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

const NOW_S = 1_700_000_000;
const now = () => NOW_S * 1000;
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
const unsecured = (claims: object, header: object = { alg: "none" }) =>
  `${b64(header)}.${b64(claims)}.`;

async function refusal(p: Promise<unknown>, what = ""): Promise<TokenRefusedError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof TokenRefusedError, String(e));
    return e;
  }
  assert.fail(`the token was accepted ${what}`);
}

function unsecuredValidator(options: Record<string, string> = {}) {
  return new UnsecuredJwsValidator(
    unsecuredValidatorOptions(new Map(Object.entries(options))),
    now,
  );
}

test("unsecured: a valid token names its sub and expires at exp", async () => {
  const token = unsecured({ sub: "alice", iat: NOW_S - 10, exp: NOW_S + 60.5, scope: "a b" });
  assert.deepEqual(await unsecuredValidator().validate(token), {
    principal: "alice",
    expiresAtMs: (NOW_S + 60.5) * 1000,
    scope: ["a", "b"],
  });
});

test("unsecured: the JAAS options choose the claims, required scope and clock skew", async () => {
  const v = unsecuredValidator({
    unsecuredValidatorPrincipalClaimName: "user",
    unsecuredValidatorScopeClaimName: "roles",
    unsecuredValidatorRequiredScope: "produce consume",
    unsecuredValidatorAllowableClockSkewMs: "5000",
  });
  const claims = { user: "bob", roles: ["consume", "produce"], exp: NOW_S - 2 };
  assert.equal((await v.validate(unsecured(claims))).principal, "bob");
  const r = await refusal(v.validate(unsecured({ ...claims, roles: ["consume"] })));
  assert.equal(r.status, "insufficient_scope");
  assert.equal(r.scope, "[produce, consume]");
  assert.throws(
    () => unsecuredValidatorOptions(new Map([["unsecuredValidatorAllowableClockSkewMs", "-1"]])),
    JaasConfigError,
  );
});

test("unsecured: expired, future, inconsistent, signed or incomplete tokens are refused", async () => {
  const v = unsecuredValidator();
  const ok = { sub: "alice", iat: NOW_S, exp: NOW_S + 60 };
  for (const bad of [
    unsecured({ ...ok, exp: NOW_S }),
    unsecured({ ...ok, iat: NOW_S + 1 }),
    unsecured({ ...ok, iat: NOW_S + 60 }),
    unsecured({ sub: "alice" }),
    unsecured({ ...ok, exp: "soon" }),
    unsecured({ ...ok, sub: "" }),
    unsecured({ iat: NOW_S, exp: NOW_S + 60 }),
    unsecured({ ...ok, scope: 7 }),
    unsecured(ok, { alg: "RS256" }),
    `${unsecured(ok)}c2ln`,
    "not-a-jws",
    `${b64({ alg: "none" })}.e30K!.`,
  ]) {
    const r = await refusal(v.validate(bad));
    assert.equal(r.status, "invalid_token", bad);
  }
});

const dir = mkdtempSync(join(tmpdir(), "logbook-jwks-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function signedSetup(overrides: Partial<OAuthConfig> = {}) {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const other = await generateKeyPair("ES256");
  const jwks = join(dir, `jwks-${Math.random()}.json`);
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  writeFileSync(jwks, JSON.stringify({ keys: [jwk] }));
  const validator = new SignedJwtValidator(
    {
      ...DEFAULT_BROKER_CONFIG.oauth,
      jwksEndpointUrl: pathToFileURL(jwks).href,
      expectedAudience: ["logbook"],
      expectedIssuer: "https://issuer.test",
      ...overrides,
    },
    DEFAULT_JWKS_TLS,
    now,
  );
  const claims: JWTPayload = {
    sub: "carol",
    aud: "logbook",
    iss: "https://issuer.test",
    iat: NOW_S,
    exp: NOW_S + 300,
    scope: "read",
  };
  const sign = (c: JWTPayload = claims, key = privateKey, alg = "RS256") =>
    new SignJWT(c).setProtectedHeader({ alg, kid: "k1" }).sign(key);
  return { validator, claims, sign, otherKey: other.privateKey };
}

test("signed: a JWT signed by a key of the JWKS names its sub claim", async () => {
  const { validator, sign } = await signedSetup();
  assert.deepEqual(await validator.validate(await sign()), {
    principal: "carol",
    expiresAtMs: (NOW_S + 300) * 1000,
    scope: ["read"],
  });
});

test("signed: sasl.oauthbearer.sub.claim.name and scope.claim.name choose the claims", async () => {
  const { validator, sign, claims } = await signedSetup({
    subClaimName: "client_id",
    scopeClaimName: "scp",
  });
  const t = await validator.validate(await sign({ ...claims, client_id: "svc", scp: ["x"] }));
  assert.equal(t.principal, "svc");
  assert.deepEqual(t.scope, ["x"]);
  await refusal(validator.validate(await sign()));
});

test("signed: bad signature, wrong key, alg none, expiry, audience and issuer are refused", async () => {
  const { validator, sign, claims, otherKey } = await signedSetup();
  const good = await sign();
  const [h, p, s] = good.split(".") as [string, string, string];
  const tampered = `${h}.${b64({ ...claims, sub: "mallory" })}.${s}`;
  const flipped = `${h}.${p}.${s.slice(0, -4)}${s.slice(-4) === "AAAA" ? "BBBB" : "AAAA"}`;
  const { exp: _exp, ...noExp } = claims;
  const { iat: _iat, ...noIat } = claims;
  for (const [i, bad] of [
    tampered,
    flipped,
    await sign(claims, otherKey, "ES256"),
    unsecured(claims),
    `${b64({ alg: "none", kid: "k1" })}.${p}.`,
    await sign({ ...claims, exp: NOW_S - 31, iat: NOW_S - 100 }),
    await sign(noExp),
    await sign(noIat),
    await sign({ ...claims, aud: "other" }),
    await sign({ ...claims, iss: "https://elsewhere.test" }),
    await sign({ ...claims, sub: undefined }),
  ].entries()) {
    const r = await refusal(validator.validate(bad), `#${i}`);
    assert.equal(r.status, "invalid_token", `#${i}`);
  }
  // Within sasl.oauthbearer.clock.skew.seconds (30 by default) a token is still good.
  await validator.validate(await sign({ ...claims, exp: NOW_S - 29, iat: NOW_S - 100 }));
});

test("signed: a future iat is accepted (as Kafka's BrokerJwtValidator)", async () => {
  const { validator, sign, claims } = await signedSetup();
  await validator.validate(await sign({ ...claims, iat: NOW_S + 60 }));
});

test("signed: without expected audience and issuer those claims are not checked", async () => {
  const { validator, sign, claims } = await signedSetup({
    expectedAudience: [],
    expectedIssuer: "",
  });
  const t = await validator.validate(await sign({ ...claims, aud: "x", iss: "y" }));
  assert.equal(t.principal, "carol");
});

test("signed: the JWKS from an http URL on 127.0.0.1", async () => {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "h1", alg: "ES256" };
  let fetched = 0;
  const server = createServer((_req, res) => {
    fetched++;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const { port } = server.address() as AddressInfo;
    const validator = new SignedJwtValidator(
      {
        ...DEFAULT_BROKER_CONFIG.oauth,
        jwksEndpointUrl: `http://127.0.0.1:${port}/jwks.json`,
        allowUnverifiedAudience: true,
        allowUnverifiedIssuer: true,
      },
      DEFAULT_JWKS_TLS,
      now,
    );
    const sign = (kid: string) =>
      new SignJWT({ sub: "erin", iat: NOW_S, exp: NOW_S + 60 })
        .setProtectedHeader({ alg: "ES256", kid })
        .sign(privateKey);
    assert.equal((await validator.validate(await sign("h1"))).principal, "erin");
    await validator.validate(await sign("h1"));
    assert.equal(fetched, 1, "the keys are kept until the refresh interval");
    await refusal(validator.validate(await sign("unknown")));
  } finally {
    server.close();
  }
});

test("signed: a JWKS file is read again after sasl.oauthbearer.jwks.endpoint.refresh.ms", async () => {
  let clock = now();
  const first = await generateKeyPair("RS256");
  const second = await generateKeyPair("RS256");
  const file = join(dir, "rotating.json");
  const write = async (key: Key) =>
    writeFileSync(file, JSON.stringify({ keys: [{ ...(await exportJWK(key)), kid: "r" }] }));
  await write(first.publicKey);
  const validator = new SignedJwtValidator(
    {
      ...DEFAULT_BROKER_CONFIG.oauth,
      jwksEndpointUrl: pathToFileURL(file).href,
      jwksEndpointRefreshMs: 60_000,
      allowUnverifiedAudience: true,
      allowUnverifiedIssuer: true,
    },
    DEFAULT_JWKS_TLS,
    () => clock,
  );
  const sign = (key: Key) =>
    new SignJWT({ sub: "rot", iat: NOW_S, exp: NOW_S + 3600 })
      .setProtectedHeader({ alg: "RS256", kid: "r" })
      .sign(key);
  await validator.validate(await sign(first.privateKey));
  await write(second.publicKey);
  await refusal(validator.validate(await sign(second.privateKey)), "before the refresh");
  clock += 60_000;
  assert.equal((await validator.validate(await sign(second.privateKey))).principal, "rot");
});
