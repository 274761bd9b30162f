/**
 * SASL/OAUTHBEARER on a connection: a good token authenticates User:<sub>; a refused
 * one is answered with Kafka's JSON error and fails only after the client's \x01; an
 * authorization id must be the token's principal; and the session (KIP-368) lasts no
 * longer than the token.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ErrorCode } from "@logbook/protocol";
import { memoryLogger } from "@logbook/storage";
import { OAuthBearerServerExchange } from "../src/sasl/oauth-exchange.js";
import { clientMessage } from "../src/sasl/oauth-messages.js";
import { TokenRefusedError, type TokenValidator } from "../src/sasl/oauth-token.js";
import { UnsecuredJwsValidator } from "../src/sasl/oauth-unsecured-validator.js";
import { SaslAuthenticator } from "../src/sasl/sasl-authenticator.js";
import { memoryScramStore, ScramCredentials } from "../src/sasl/scram-credentials.js";
import { type ClientSession, plaintextSession } from "../src/server/client-session.js";

const START_MS = 1_700_000_000_000;

function saslSession(): ClientSession {
  return {
    ...plaintextSession("127.0.0.1:7"),
    listenerName: "SASL_PLAINTEXT",
    securityProtocol: "SASL_PLAINTEXT",
    authenticated: false,
  };
}

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
/** An unsecured token for `sub` expiring `lifetimeMs` after START_MS. */
const token = (sub: string, lifetimeMs: number, scope = "") =>
  `${b64({ alg: "none" })}.${b64({ sub, iat: START_MS / 1000, exp: (START_MS + lifetimeMs) / 1000, scope })}.`;

function authenticator(maxReauthMs: number) {
  let now = START_MS;
  const validator: TokenValidator = new UnsecuredJwsValidator(
    {
      principalClaimName: "sub",
      scopeClaimName: "scope",
      requiredScope: ["kafka"],
      allowableClockSkewMs: 0,
    },
    () => now,
  );
  const logger = memoryLogger();
  const sasl = new SaslAuthenticator(
    {
      listener: () => ({
        mechanisms: ["OAUTHBEARER"],
        plainUsers: new Map(),
        oauthValidator: validator,
      }),
      maxReauthMs,
      failedAuthenticationDelayMs: 0,
    },
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

test("a valid token authenticates User:<sub>, its extensions accepted", async () => {
  const { sasl } = authenticator(0);
  const session = saslSession();
  assert.equal(sasl.handshake(session, "OAUTHBEARER").errorCode, ErrorCode.NONE);
  const ext = new Map([["traceId", "t-1"]]);
  const auth = await sasl.authenticate(
    session,
    clientMessage(token("alice", 60_000, "kafka"), ext),
  );
  assert.equal(auth.errorCode, ErrorCode.NONE);
  assert.equal(auth.authBytes.length, 0);
  assert.equal(auth.sessionLifetimeMs, 0);
  assert.deepEqual(session.principal, { type: "User", name: "alice" });
  assert.equal(sasl.admit(session, 0), "serve");
});

test("a refused token: the JSON error first, the failure after the client's \\x01", async () => {
  const { sasl, logger } = authenticator(0);
  const session = saslSession();
  sasl.handshake(session, "OAUTHBEARER");
  const first = await sasl.authenticate(session, clientMessage(token("alice", 60_000, "other")));
  assert.equal(first.errorCode, ErrorCode.NONE);
  assert.deepEqual(JSON.parse(first.authBytes.toString()), {
    status: "insufficient_scope",
    scope: "[kafka]",
  });
  assert.equal(session.authenticated, false);
  assert.ok(logger.events.some((e) => e.msg === "refused credential"));
  const second = await sasl.authenticate(session, Buffer.from([1]));
  assert.equal(second.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
  assert.equal(second.errorMessage, '{"status":"insufficient_scope", "scope":"[kafka]"}');
  assert.equal(session.closeAfterResponse, true);
  assert.ok(logger.events.some((e) => /scope lacks kafka/.test(String(e.fields.reason))));

  const expired = saslSession();
  sasl.handshake(expired, "OAUTHBEARER");
  const reply = await sasl.authenticate(expired, clientMessage(token("a", -1, "kafka")));
  assert.equal(reply.authBytes.toString(), '{"status":"invalid_token"}');
});

test("a malformed message or another authorization id is refused at once", async () => {
  const { sasl } = authenticator(0);
  const bad = saslSession();
  sasl.handshake(bad, "OAUTHBEARER");
  const a = await sasl.authenticate(bad, Buffer.from("n,,auth=Bearer x"));
  assert.equal(a.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
  assert.equal(
    a.errorMessage,
    "Authentication failed during authentication due to invalid credentials with SASL mechanism OAUTHBEARER",
  );
  const other = saslSession();
  sasl.handshake(other, "OAUTHBEARER");
  const b = await sasl.authenticate(
    other,
    clientMessage(token("alice", 60_000, "kafka"), new Map(), "bob"),
  );
  assert.equal(b.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
  assert.match(
    b.errorMessage ?? "",
    /authorization id \(bob\) that is different from the token's principal name \(alice\)/,
  );
});

test("KIP-368: the session lasts until the token expires when that is sooner than connections.max.reauth.ms", async () => {
  const { sasl, advance } = authenticator(60_000);
  const short = saslSession();
  sasl.handshake(short, "OAUTHBEARER");
  const a = await sasl.authenticate(short, clientMessage(token("alice", 10_000, "kafka")));
  assert.equal(a.sessionLifetimeMs, 10_000);
  const long = saslSession();
  sasl.handshake(long, "OAUTHBEARER");
  const b = await sasl.authenticate(long, clientMessage(token("alice", 3_600_000, "kafka")));
  assert.equal(b.sessionLifetimeMs, 60_000);
  advance(10_000);
  assert.equal(sasl.admit(short, 0), "expired");
  assert.equal(sasl.admit(long, 0), "serve");
  // Re-authentication with a fresh token for the same principal renews the session.
  sasl.handshake(short, "OAUTHBEARER");
  const again = await sasl.authenticate(short, clientMessage(token("alice", 40_000, "kafka")));
  assert.equal(again.sessionLifetimeMs, 30_000);
  assert.equal(sasl.admit(short, 0), "serve");
});

test("a refusal by the validator for another reason is invalid_token", async () => {
  const refusing: TokenValidator = {
    validate: async () => {
      throw new TokenRefusedError("no");
    },
  };
  const exchange = new OAuthBearerServerExchange(refusing);
  const step = await exchange.evaluate(clientMessage("abc"));
  assert.equal(step.user, undefined);
  assert.equal(step.response.toString(), '{"status":"invalid_token"}');
  // Anything but \x01 after the error is a new attempt, not the failure.
  const retry = await exchange.evaluate(clientMessage("def"));
  assert.equal(retry.response.toString(), '{"status":"invalid_token"}');
});
