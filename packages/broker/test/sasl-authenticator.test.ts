/**
 * SASL on one connection (sasl-authenticator.ts): what is served before authentication,
 * a refused mechanism or password closes the connection after its answer, the principal
 * after success, re-authentication (KIP-368) keeping principal and mechanism, and a
 * session that lapses.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ErrorCode } from "@logbook/protocol";
import { memoryLogger } from "@logbook/storage";
import { SaslAuthenticator, type SaslSettings } from "../src/sasl/sasl-authenticator.js";
import { memoryScramStore, ScramCredentials } from "../src/sasl/scram-credentials.js";
import { ANONYMOUS, type ClientSession, plaintextSession } from "../src/server/client-session.js";

function saslSession(): ClientSession {
  return {
    ...plaintextSession("127.0.0.1:5"),
    listenerName: "SASL_PLAINTEXT",
    securityProtocol: "SASL_PLAINTEXT",
    authenticated: false,
  };
}

function authenticator(maxReauthMs = 0) {
  let now = 1_000;
  const settings: SaslSettings = {
    listener: () => ({
      mechanisms: ["PLAIN", "SCRAM-SHA-256"],
      plainUsers: new Map([
        ["alice", "alice-secret"],
        ["bob", "bob-secret"],
      ]),
    }),
    maxReauthMs,
    failedAuthenticationDelayMs: 0,
  };
  const logger = memoryLogger();
  const sasl = new SaslAuthenticator(
    settings,
    new ScramCredentials(memoryScramStore()),
    logger,
    () => now,
  );
  return {
    sasl,
    logger,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const plain = (user: string, password: string) => Buffer.from(`\u0000${user}\u0000${password}`);

test("before authentication only ApiVersions and the SASL APIs are served", () => {
  const { sasl } = authenticator();
  const session = saslSession();
  for (const key of [17, 18, 36]) assert.equal(sasl.admit(session, key), "serve");
  for (const key of [0, 1, 3, 19, 50]) assert.equal(sasl.admit(session, key), "unauthenticated");
  assert.equal(sasl.admit(plaintextSession("p"), 0), "serve");
});

test("PLAIN: handshake, authenticate, then the session is User:alice and everything is served", async () => {
  const { sasl, logger } = authenticator(60_000);
  const session = saslSession();
  const hs = sasl.handshake(session, "PLAIN");
  assert.deepEqual(hs, { errorCode: ErrorCode.NONE, mechanisms: ["PLAIN", "SCRAM-SHA-256"] });
  const auth = await sasl.authenticate(session, plain("alice", "alice-secret"));
  assert.equal(auth.errorCode, ErrorCode.NONE);
  assert.equal(auth.sessionLifetimeMs, 60_000);
  assert.deepEqual(session.principal, { type: "User", name: "alice" });
  assert.equal(session.authenticated, true);
  assert.equal(session.closeAfterResponse, false);
  assert.equal(sasl.admit(session, 0), "serve");
  assert.ok(
    logger.events.some((e) => e.msg === "authenticated" && e.fields.principal === "User:alice"),
  );
});

test("a mechanism the listener does not enable is refused with the enabled ones, then closed", () => {
  const { sasl } = authenticator();
  const session = saslSession();
  const hs = sasl.handshake(session, "SCRAM-SHA-512");
  assert.equal(hs.errorCode, ErrorCode.UNSUPPORTED_SASL_MECHANISM);
  assert.deepEqual(hs.mechanisms, ["PLAIN", "SCRAM-SHA-256"]);
  assert.equal(session.closeAfterResponse, true);
});

test("a wrong password is SASL_AUTHENTICATION_FAILED with Kafka's message, then closed", async () => {
  const { sasl, logger } = authenticator();
  const session = saslSession();
  sasl.handshake(session, "PLAIN");
  const auth = await sasl.authenticate(session, plain("alice", "nope"));
  assert.equal(auth.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
  assert.equal(auth.errorMessage, "Authentication failed: Invalid username or password");
  assert.equal(session.closeAfterResponse, true);
  assert.equal(session.authenticated, false);
  assert.deepEqual(session.principal, ANONYMOUS);
  assert.ok(logger.events.some((e) => e.msg === "failed authentication"));
});

test("SaslAuthenticate without a handshake, and SASL on a plaintext listener, are ILLEGAL_SASL_STATE", async () => {
  const { sasl } = authenticator();
  const early = await sasl.authenticate(saslSession(), plain("alice", "alice-secret"));
  assert.equal(early.errorCode, ErrorCode.ILLEGAL_SASL_STATE);
  const plainListener = plaintextSession("p");
  assert.equal(sasl.handshake(plainListener, "PLAIN").errorCode, ErrorCode.ILLEGAL_SASL_STATE);
  const after = await sasl.authenticate(plainListener, plain("alice", "alice-secret"));
  assert.equal(after.errorCode, ErrorCode.ILLEGAL_SASL_STATE);
  assert.equal(
    after.errorMessage,
    "SaslAuthenticate request received after successful authentication",
  );
  assert.equal(plainListener.closeAfterResponse, false);
});

test("KIP-368: a session lapses; re-authentication keeps the principal and the mechanism", async () => {
  const { sasl, advance } = authenticator(1_000);
  const session = saslSession();
  sasl.handshake(session, "PLAIN");
  await sasl.authenticate(session, plain("alice", "alice-secret"));
  advance(999);
  assert.equal(sasl.admit(session, 0), "serve");
  advance(1);
  assert.equal(sasl.admit(session, 0), "expired");
  assert.equal(sasl.admit(session, 17), "serve");
  // Re-authenticating as the same user renews the session.
  assert.equal(sasl.handshake(session, "PLAIN").errorCode, ErrorCode.NONE);
  const again = await sasl.authenticate(session, plain("alice", "alice-secret"));
  assert.equal(again.errorCode, ErrorCode.NONE);
  assert.equal(sasl.admit(session, 0), "serve");
  // Another user on the same connection is refused, and so is another mechanism.
  sasl.handshake(session, "PLAIN");
  const other = await sasl.authenticate(session, plain("bob", "bob-secret"));
  assert.equal(other.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
  assert.match(other.errorMessage ?? "", /Cannot change principals/);
  const session2 = saslSession();
  sasl.handshake(session2, "PLAIN");
  await sasl.authenticate(session2, plain("bob", "bob-secret"));
  assert.equal(sasl.handshake(session2, "SCRAM-SHA-256").errorCode, ErrorCode.ILLEGAL_SASL_STATE);
  assert.equal(session2.closeAfterResponse, true);
});

test("after a v0 handshake the tokens come bare; a refused one closes without an answer", async () => {
  const { sasl } = authenticator();
  const session = saslSession();
  assert.equal(sasl.handshake(session, "PLAIN", 0).errorCode, ErrorCode.NONE);
  assert.equal(sasl.expectsRawToken(session), true);
  assert.deepEqual(await sasl.rawToken(session, plain("alice", "alice-secret")), Buffer.alloc(0));
  assert.equal(sasl.expectsRawToken(session), false);
  assert.equal(session.authenticated, true);
  const refused = saslSession();
  sasl.handshake(refused, "PLAIN", 0);
  assert.equal(await sasl.rawToken(refused, plain("alice", "nope")), null);
  assert.equal(sasl.expectsRawToken(refused), false);
  const v1 = saslSession();
  sasl.handshake(v1, "PLAIN", 1);
  assert.equal(sasl.expectsRawToken(v1), false);
});
