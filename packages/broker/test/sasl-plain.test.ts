/** SASL/PLAIN's server side (RFC 4616) with Kafka's messages. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { PlainServerExchange } from "../src/sasl/plain-exchange.js";
import { SaslAuthenticationError } from "../src/sasl/sasl-error.js";

const users = new Map([["alice", "alice-secret"]]);

async function outcome(token: string): Promise<string> {
  const exchange = new PlainServerExchange((u) => users.get(u));
  try {
    const step = await exchange.evaluate(Buffer.from(token, "utf8"));
    assert.equal(step.response.length, 0);
    return `user ${step.user}`;
  } catch (e) {
    assert.ok(e instanceof SaslAuthenticationError);
    return e.message;
  }
}

test("PLAIN admits a configured user with the password and refuses everything else", async () => {
  assert.equal(await outcome("\u0000alice\u0000alice-secret"), "user alice");
  assert.equal(await outcome("alice\u0000alice\u0000alice-secret"), "user alice");
  assert.equal(
    await outcome("\u0000alice\u0000wrong"),
    "Authentication failed: Invalid username or password",
  );
  assert.equal(
    await outcome("\u0000mallory\u0000alice-secret"),
    "Authentication failed: Invalid username or password",
  );
  assert.equal(
    await outcome("bob\u0000alice\u0000alice-secret"),
    "Authentication failed: Client requested an authorization id that is different from username",
  );
  assert.equal(await outcome("\u0000\u0000pw"), "Authentication failed: username not specified");
  assert.equal(await outcome("\u0000alice\u0000"), "Authentication failed: password not specified");
  assert.equal(
    await outcome("alice-secret"),
    "Invalid SASL/PLAIN response: expected 3 tokens, got 1",
  );
});

test("a PLAIN exchange answers once", async () => {
  const exchange = new PlainServerExchange((u) => users.get(u));
  await exchange.evaluate(Buffer.from("\u0000alice\u0000alice-secret"));
  await assert.rejects(
    exchange.evaluate(Buffer.from("\u0000alice\u0000alice-secret")),
    SaslAuthenticationError,
  );
});
