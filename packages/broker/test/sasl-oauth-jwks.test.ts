/**
 * Where signed OAUTHBEARER tokens' keys come from, as Kafka 4.4 reads them: a JWKS
 * served over https by a server whose certificate a test CA signed, trusted through the
 * ssl.* options of the listener's JAAS config (Kafka's JaasOptionsUtils), with the host
 * name checked unless ssl.endpoint.identification.algorithm is empty; and a key rotated
 * in at the JWKS URL (a new kid) picked up at once, the early reads rate-limited per kid
 * (Kafka's RefreshingHttpsJwks), a failed read keeping the keys read before.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type RequestListener } from "node:http";
import { createServer as createHttpsServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { removeDir, tempDir } from "../../../integration-tests/helpers/broker-process.js";
import {
  makeCa,
  makeServerCert,
  type ServerCert,
} from "../../../integration-tests/helpers/test-certs.js";
import { DEFAULT_BROKER_CONFIG } from "../src/config/broker-config.js";
import { MISSING_KID_INTERVAL_MS } from "../src/sasl/oauth-jwks-keys.js";
import { DEFAULT_JWKS_TLS, type JwksTls, jwksTlsOf } from "../src/sasl/oauth-jwks-source.js";
import { SignedJwtValidator } from "../src/sasl/oauth-jwt-validator.js";
import { TokenRefusedError } from "../src/sasl/oauth-token.js";

type Key = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

const NOW_S = 1_700_000_000;

let dir: string;
let caPath: string;
let cert: ServerCert;

before(async () => {
  dir = await tempDir("logbook-jwks-tls-");
  caPath = makeCa(dir);
  cert = makeServerCert(dir);
});
after(() => removeDir(dir));

async function signingKey(kid: string): Promise<{ jwk: JWK; sign: () => Promise<string> }> {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "ES256" };
  return { jwk, sign: () => tokenSignedBy(privateKey, kid) };
}

function tokenSignedBy(key: Key, kid: string): Promise<string> {
  return new SignJWT({ sub: "erin", iat: NOW_S, exp: NOW_S + 86_400 })
    .setProtectedHeader({ alg: "ES256", kid })
    .sign(key);
}

/** A JWKS server on `host`; `keys()` is what it serves now, `fail` makes it answer 500. */
async function jwksServer(
  keys: () => JWK[],
  opts: { https: boolean; host?: string } = { https: false },
) {
  const state = { fetched: 0, fail: false };
  const handler: RequestListener = (_req, res) => {
    state.fetched++;
    if (state.fail) {
      res.writeHead(500).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ keys: keys() }));
  };
  const server: Server | ReturnType<typeof createHttpServer> = opts.https
    ? createHttpsServer(
        { key: readFileSync(cert.key, "utf8"), cert: readFileSync(cert.cert, "utf8") },
        handler,
      )
    : createHttpServer(handler);
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((r) => server.listen(0, host, r));
  const { port } = server.address() as AddressInfo;
  const scheme = opts.https ? "https" : "http";
  return {
    state,
    url: (name = host) => `${scheme}://${name}:${port}/jwks.json`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function validatorFor(url: string, tls: JwksTls, now: () => number = () => NOW_S * 1000) {
  return new SignedJwtValidator(
    {
      ...DEFAULT_BROKER_CONFIG.oauth,
      jwksEndpointUrl: url,
      allowUnverifiedAudience: true,
      allowUnverifiedIssuer: true,
    },
    tls,
    now,
  );
}

async function refused(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => assert.fail("the token was accepted"),
    (err: unknown) => err,
  );
  assert.ok(e instanceof TokenRefusedError, String(e));
  return e.message;
}

test("https JWKS: trusted through the JAAS options' ssl.truststore.location (PEM)", async () => {
  const k = await signingKey("tls-1");
  const server = await jwksServer(() => [k.jwk], { https: true });
  try {
    const tls = jwksTlsOf(
      new Map([
        ["ssl.truststore.type", "PEM"],
        ["ssl.truststore.location", caPath],
      ]),
    );
    assert.equal(tls.checkHostName, true);
    for (const name of ["127.0.0.1", "localhost"])
      assert.equal(
        (await validatorFor(server.url(name), tls).validate(await k.sign())).principal,
        "erin",
      );
    // The same CA as inline PEM (ssl.truststore.certificates).
    const inline = jwksTlsOf(
      new Map([["ssl.truststore.certificates", readFileSync(caPath, "utf8")]]),
    );
    await validatorFor(server.url(), inline).validate(await k.sign());
    // Without it only the bundled CAs are trusted, which did not sign the server's certificate.
    const why = await refused(
      validatorFor(server.url(), DEFAULT_JWKS_TLS).validate(await k.sign()),
    );
    assert.match(why, /unable to verify the first certificate/);
  } finally {
    await server.close();
  }
});

test("https JWKS: the host name is checked unless ssl.endpoint.identification.algorithm is empty", async () => {
  const k = await signingKey("tls-2");
  // 127.0.0.2 is a loopback address the test certificate does not name.
  const server = await jwksServer(() => [k.jwk], { https: true, host: "127.0.0.2" });
  try {
    const options = new Map([["ssl.truststore.location", caPath]]);
    const why = await refused(
      validatorFor(server.url(), jwksTlsOf(options)).validate(await k.sign()),
    );
    assert.match(why, /Hostname\/IP does not match certificate's altnames: IP: 127\.0\.0\.2/);
    options.set("ssl.endpoint.identification.algorithm", "");
    const lax = jwksTlsOf(options);
    assert.equal(lax.checkHostName, false);
    await validatorFor(server.url(), lax).validate(await k.sign());
  } finally {
    await server.close();
  }
});

test("a key rotated in at the JWKS URL (new kid) is picked up at once; unknown kids re-read once a minute each", async () => {
  const first = await signingKey("k1");
  const second = await signingKey("k2");
  const stranger = await signingKey("k3");
  let served = [first.jwk];
  const server = await jwksServer(() => served);
  let clock = NOW_S * 1000;
  try {
    const v = validatorFor(server.url(), DEFAULT_JWKS_TLS, () => clock);
    await v.validate(await first.sign());
    assert.equal(server.state.fetched, 1);
    served = [first.jwk, second.jwk];
    assert.equal((await v.validate(await second.sign())).principal, "erin");
    assert.equal(server.state.fetched, 2, "the unknown kid k2 caused one read");
    await v.validate(await first.sign());
    await v.validate(await second.sign());
    assert.equal(server.state.fetched, 2, "known kids read nothing");
    // A kid the JWKS does not hold: one read, then none for that kid within a minute.
    await refused(v.validate(await stranger.sign()));
    assert.equal(server.state.fetched, 3);
    served = [first.jwk, second.jwk, stranger.jwk];
    clock += MISSING_KID_INTERVAL_MS - 1;
    await refused(v.validate(await stranger.sign()));
    assert.equal(server.state.fetched, 3, "rate-limited");
    clock += 1;
    await v.validate(await stranger.sign());
    assert.equal(server.state.fetched, 4);
  } finally {
    await server.close();
  }
});

test("a JWKS read that fails keeps the keys read before; with none the token is refused", async () => {
  const k = await signingKey("f1");
  const server = await jwksServer(() => [k.jwk]);
  let clock = NOW_S * 1000;
  try {
    const v = validatorFor(server.url(), DEFAULT_JWKS_TLS, () => clock);
    await v.validate(await k.sign());
    server.state.fail = true;
    clock += DEFAULT_BROKER_CONFIG.oauth.jwksEndpointRefreshMs;
    await v.validate(await k.sign());
    assert.equal(server.state.fetched, 2, "the refresh was tried");
    await v.validate(await k.sign());
    assert.equal(server.state.fetched, 2, "and is tried again only later");
    clock += 10_000;
    await v.validate(await k.sign());
    assert.equal(server.state.fetched, 3);

    const fresh = validatorFor(server.url(), DEFAULT_JWKS_TLS, () => clock);
    assert.match(await refused(fresh.validate(await k.sign())), /HTTP 500/);
  } finally {
    await server.close();
  }
});

test("JAAS ssl.* options: a missing trust store file and a non-PEM one are refused", () => {
  assert.throws(
    () => jwksTlsOf(new Map([["ssl.truststore.location", join(dir, "missing.pem")]])),
    /cannot read ssl.truststore.location/,
  );
  assert.throws(
    () => jwksTlsOf(new Map([["ssl.truststore.location", cert.key]])),
    /no PEM certificate found/,
  );
  assert.deepEqual(jwksTlsOf(new Map()), DEFAULT_JWKS_TLS);
});
