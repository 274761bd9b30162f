/**
 * Signed OAUTHBEARER tokens against a real `logbook start` and Kafka 4.4 configured the
 * same way, with two listeners that check different issuers and keys:
 *   SIGNED takes the broker-wide sasl.oauthbearer.* settings and a JWKS file;
 *   HTTPS overrides them with listener.name.https.oauthbearer.sasl.oauthbearer.* and reads
 *   its JWKS over https from a server whose certificate a test CA signed, trusted through
 *   the ssl.truststore.* options of the listener's JAAS config (Kafka's JaasOptionsUtils).
 * Both JWKS URLs are listed in org.apache.kafka.sasl.oauthbearer.allowed.urls (a setting
 * on Logbook, the JVM system property on Kafka). Each listener accepts only its own
 * tokens, a key rotated in at the https JWKS (new kid) comes into use, and the Java
 * client with OAuthBearerLoginCallbackHandler reading a signed token from a file
 * (sasl.oauthbearer.token.endpoint.url=file:..., allowed by the same system property on
 * the client) authenticates, or is refused the same way by both when another key signed it.
 * A JWKS URL left out of the allowed URLs stops both at start-up with the same message.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import { ErrorCode } from "@logbook/protocol";
import { type BrokerProcess, removeDir, startBroker, tempDir } from "./helpers/broker-process.js";
import { waitFor } from "./helpers/groups.js";
import { freePort, type KafkaProcess, startKafka } from "./helpers/kafka-process.js";
import { type Claims, rs256Token, type WireOutcome, wireExchange } from "./helpers/oauthbearer.js";
import { makeCa, makeServerCert } from "./helpers/test-certs.js";
import { JAVA_CHECKS_CLIENT, runJava } from "./java/java-driver.js";

const SIGNED_HANDLER =
  "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler";
const LOGIN_MODULE = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule";
/** Kafka's broker logs in with a token of its own at start-up, so its JAAS config names a sub. */
const BROKER_LOGIN = `${LOGIN_MODULE} required unsecuredLoginStringClaim_sub="admin"`;
const ALLOWED_URLS = "org.apache.kafka.sasl.oauthbearer.allowed.urls";
const AUDIENCE = "logbook-jwks-it";
const FILE_ISSUER = "https://file-issuer.logbook.test";
const HTTPS_ISSUER = "https://https-issuer.logbook.test";

interface SigningKey {
  readonly key: KeyObject;
  readonly kid: string;
  readonly jwk: object;
}

function rsaKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };
  return { key: privateKey, kid, jwk };
}

let dir: string;
let broker: BrokerProcess;
let kafka: KafkaProcess;
let jwksServer: Server;
const fileKey = rsaKey("file-1");
const httpsKey = rsaKey("https-1");
/** What the https JWKS serves now, and how often it was read. */
const httpsJwks = { keys: [httpsKey.jwk], reads: 0 };
const ports = { signed: 0, https: 0, kafkaSigned: 0, kafkaHttps: 0 };
let allowedUrls: string;

before(async () => {
  dir = await tempDir("logbook-oauth-jwks-");
  const ca = makeCa(dir);
  const cert = makeServerCert(dir);
  jwksServer = createServer(
    { key: readFileSync(cert.key, "utf8"), cert: readFileSync(cert.cert, "utf8") },
    (_req, res) => {
      httpsJwks.reads++;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: httpsJwks.keys }));
    },
  );
  await new Promise<void>((r) => jwksServer.listen(0, "127.0.0.1", r));
  const httpsUrl = `https://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
  const jwksFile = join(dir, "jwks.json");
  writeFileSync(jwksFile, JSON.stringify({ keys: [fileKey.jwk] }));
  const fileUrl = pathToFileURL(jwksFile).href;
  allowedUrls = `${fileUrl},${httpsUrl}`;
  for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();

  // The same settings on both brokers.
  const listeners = {
    "sasl.enabled.mechanisms": "OAUTHBEARER",
    "listener.name.signed.oauthbearer.sasl.jaas.config": `${BROKER_LOGIN};`,
    "listener.name.signed.oauthbearer.sasl.server.callback.handler.class": SIGNED_HANDLER,
    "listener.name.https.oauthbearer.sasl.jaas.config": `${BROKER_LOGIN} ssl.truststore.type="PEM" ssl.truststore.location="${ca}";`,
    "listener.name.https.oauthbearer.sasl.server.callback.handler.class": SIGNED_HANDLER,
    "sasl.oauthbearer.jwks.endpoint.url": fileUrl,
    "sasl.oauthbearer.expected.audience": AUDIENCE,
    "sasl.oauthbearer.expected.issuer": FILE_ISSUER,
    "listener.name.https.oauthbearer.sasl.oauthbearer.jwks.endpoint.url": httpsUrl,
    "listener.name.https.oauthbearer.sasl.oauthbearer.expected.issuer": HTTPS_ISSUER,
  };
  const props = [
    `${ALLOWED_URLS}=${allowedUrls}`,
    `listeners=PLAINTEXT://127.0.0.1:0,SIGNED://127.0.0.1:${ports.signed},HTTPS://127.0.0.1:${ports.https}`,
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SIGNED:SASL_PLAINTEXT,HTTPS:SASL_PLAINTEXT",
    ...Object.entries(listeners).map(([k, v]) => `${k}=${v}`),
  ];
  const file = join(dir, "server.properties");
  writeFileSync(file, props.join("\n"));
  // Both are kept even when one fails to start, so that after() stops the other.
  const [b, k] = await Promise.allSettled([
    startBroker({ args: ["--config", file, "--log-level", "debug"] }),
    startKafka({
      extraListeners: [
        { name: "SIGNED", protocol: "SASL_PLAINTEXT", port: ports.kafkaSigned },
        { name: "HTTPS", protocol: "SASL_PLAINTEXT", port: ports.kafkaHttps },
      ],
      config: listeners,
      systemProperties: { [ALLOWED_URLS]: allowedUrls },
    }),
  ]);
  if (b.status === "fulfilled") broker = b.value;
  if (k.status === "fulfilled") kafka = k.value;
  for (const r of [b, k]) if (r.status === "rejected") throw r.reason;
});

after(async () => {
  await kafka?.stop();
  await broker?.stop();
  jwksServer?.closeAllConnections();
  await new Promise<void>((r) => (jwksServer ? jwksServer.close(() => r()) : r()));
  await removeDir(broker?.dataDir ?? "");
  await removeDir(dir);
});

function tokenOf(k: SigningKey, issuer: string, claims: Claims = {}): string {
  return rs256Token(k.key, k.kid, {
    sub: "grace",
    aud: AUDIENCE,
    iss: issuer,
    scope: "kafka",
    ...claims,
  });
}

const accepted = (o: WireOutcome) =>
  o.reply.errorCode === ErrorCode.NONE && o.reply.authBytes === "";

test("each listener checks its own issuer and keys (listener.name.<l>.oauthbearer.sasl.oauthbearer.*), as Kafka 4.4", async () => {
  const tokens = {
    file: tokenOf(fileKey, FILE_ISSUER),
    https: tokenOf(httpsKey, HTTPS_ISSUER),
    fileKeyHttpsIssuer: tokenOf(fileKey, HTTPS_ISSUER),
    httpsKeyFileIssuer: tokenOf(httpsKey, FILE_ISSUER),
  };
  const listeners = [
    ["SIGNED", ports.signed, ports.kafkaSigned, "file"],
    ["HTTPS", ports.https, ports.kafkaHttps, "https"],
  ] as const;
  for (const [listener, port, kafkaPort, good] of listeners)
    for (const [name, token] of Object.entries(tokens)) {
      const [logbook, reference] = await Promise.all([
        wireExchange(port, token),
        wireExchange(kafkaPort, token),
      ]);
      const where = `${name} on ${listener}`;
      assert.deepEqual(
        logbook,
        {
          ...reference,
          reply: { ...reference.reply, sessionLifetimeMs: logbook.reply.sessionLifetimeMs },
        },
        where,
      );
      assert.equal(accepted(logbook), name === good, where);
      assert.equal(accepted(reference), name === good, `${where} (Kafka)`);
    }
});

test("a key rotated in at the https JWKS (new kid) comes into use on both brokers", async () => {
  const rotated = rsaKey("https-2");
  httpsJwks.keys = [httpsKey.jwk, rotated.jwk];
  const readsBefore = httpsJwks.reads;
  const token = tokenOf(rotated, HTTPS_ISSUER);
  // Logbook reads the JWKS again as soon as it sees the unknown kid, and waits for it.
  assert.ok(accepted(await wireExchange(ports.https, token)), "Logbook accepts the first try");
  assert.ok(httpsJwks.reads > readsBefore, "Logbook read the JWKS again");
  // Kafka reads it again in the background on the unknown kid; the token is accepted then.
  const kafkaFirst = await wireExchange(ports.kafkaHttps, token);
  await waitFor("Kafka to take the rotated key", async () =>
    accepted(await wireExchange(ports.kafkaHttps, token)),
  );
  assert.equal(
    kafkaFirst.reply.authBytes,
    '{"status":"invalid_token"}',
    "Kafka refuses the first try",
  );
  // The old key still works on both.
  const old = tokenOf(httpsKey, HTTPS_ISSUER);
  assert.ok(accepted(await wireExchange(ports.https, old)));
  assert.ok(accepted(await wireExchange(ports.kafkaHttps, old)));
});

/** The Java client's settings for a signed token read from `tokenFile`. */
function javaFileToken(tokenFile: string): string[] {
  return [
    "security.protocol=SASL_PLAINTEXT",
    "sasl.mechanism=OAUTHBEARER",
    `sasl.jaas.config=${LOGIN_MODULE} required;`,
    "sasl.login.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler",
    `sasl.oauthbearer.token.endpoint.url=${pathToFileURL(tokenFile).href}`,
  ];
}

test("the Java client with OAuthBearerLoginCallbackHandler and a signed token from a file, on Logbook and Kafka 4.4", async () => {
  const good = join(dir, "good.jwt");
  writeFileSync(good, tokenOf(fileKey, FILE_ISSUER, { sub: "java-file" }));
  // Kafka 4's client reads the token's file: URL only if this system property allows it.
  const allow = (file: string) => ({ [ALLOWED_URLS]: pathToFileURL(file).href });
  for (const port of [ports.signed, ports.kafkaSigned]) {
    const r = await runJava(
      JAVA_CHECKS_CLIENT,
      "TlsChecks",
      [`127.0.0.1:${port}`, "java-oauth-file", ...javaFileToken(good)],
      90_000,
      allow(good),
    );
    assert.deepEqual(r, { ports: [port], values: ["v0", "v1", "v2"] }, `port ${port}`);
  }
  const lines = broker.stderr().split("\n");
  assert.ok(lines.some((l) => l.includes('"authenticated"') && l.includes("User:java-file")));

  // Signed by a key the JWKS does not hold (under the kid of one it does).
  const forged = join(dir, "forged.jwt");
  writeFileSync(forged, tokenOf({ ...rsaKey(fileKey.kid), jwk: {} }, FILE_ISSUER));
  const [logbook, reference] = await Promise.all(
    [ports.signed, ports.kafkaSigned].map((port) =>
      runJava(
        JAVA_CHECKS_CLIENT,
        "SaslChecks",
        ["denied", `127.0.0.1:${port}`, ...javaFileToken(forged)],
        90_000,
        allow(forged),
      ),
    ),
  );
  assert.deepEqual(logbook, reference, "the Java client is refused the same way");
  assert.deepEqual(logbook, {
    error: "SaslAuthenticationException",
    message: '{"status":"invalid_token"}',
  });
});

test("a JWKS URL not in org.apache.kafka.sasl.oauthbearer.allowed.urls stops start-up, with Kafka 4.4's message", async () => {
  const url = pathToFileURL(join(dir, "jwks.json")).href;
  const listener = {
    "sasl.enabled.mechanisms": "OAUTHBEARER",
    "listener.name.signed.oauthbearer.sasl.jaas.config": `${BROKER_LOGIN};`,
    "listener.name.signed.oauthbearer.sasl.server.callback.handler.class": SIGNED_HANDLER,
    "sasl.oauthbearer.jwks.endpoint.url": url,
    "sasl.oauthbearer.expected.audience": AUDIENCE,
    "sasl.oauthbearer.expected.issuer": FILE_ISSUER,
  };
  const file = join(dir, "not-allowed.properties");
  writeFileSync(
    file,
    [
      "listeners=PLAINTEXT://127.0.0.1:0,SIGNED://127.0.0.1:0",
      "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SIGNED:SASL_PLAINTEXT",
      ...Object.entries(listener).map(([k, v]) => `${k}=${v}`),
    ].join("\n"),
  );
  const message = (where: string) =>
    `Invalid value ${url} for configuration sasl.oauthbearer.jwks.endpoint.url: The URL cannot be accessed due to restrictions. Update the ${where} 'org.apache.kafka.sasl.oauthbearer.allowed.urls' to allow the URL to be accessed.`;
  const [logbook, reference] = await Promise.allSettled([
    startBroker({ args: ["--config", file] }),
    startKafka({
      extraListeners: [{ name: "SIGNED", protocol: "SASL_PLAINTEXT", port: await freePort() }],
      config: listener,
    }),
  ]);
  // Neither should have started; stop whichever did before asserting.
  if (logbook.status === "fulfilled") await logbook.value.stop();
  if (reference.status === "fulfilled") await reference.value.stop();
  assert.equal(reference.status, "rejected", "Kafka 4.4 refuses to start");
  assert.ok(
    String(reference.reason).includes(message("system property")),
    String(reference.reason),
  );
  assert.equal(logbook.status, "rejected", "Logbook refuses to start");
  assert.ok(String(logbook.reason).includes(message("setting")), String(logbook.reason));
});
