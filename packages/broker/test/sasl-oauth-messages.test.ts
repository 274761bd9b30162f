/** OAUTHBEARER's client message (RFC 7628 with Kafka's extensions) and error reply. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  clientMessage,
  errorReply,
  isErrorAcknowledgement,
  OAuthMessageError,
  parseClientMessage,
} from "../src/sasl/oauth-messages.js";

const raw = (s: string) => Buffer.from(s.replaceAll("^A", "\u0001"), "utf8");

test("a client message gives its token, extensions and authorization id", () => {
  assert.deepEqual(parseClientMessage(raw("n,,^Aauth=Bearer abc.def.^A^A")), {
    authorizationId: "",
    token: "abc.def.",
    extensions: new Map(),
  });
  const m = parseClientMessage(raw("n,a=alice,^Aauth=bearer t-1^AtraceId=42 x^Aregion=eu^A^A"));
  assert.equal(m.authorizationId, "alice");
  assert.equal(m.token, "t-1");
  assert.deepEqual(
    [...m.extensions],
    [
      ["traceId", "42 x"],
      ["region", "eu"],
    ],
  );
});

test("what clientMessage writes parses back", () => {
  const ext = new Map([["logicalCluster", "lc-1"]]);
  const m = parseClientMessage(clientMessage("a.b.c", ext, "bob"));
  assert.deepEqual(m, { authorizationId: "bob", token: "a.b.c", extensions: ext });
});

test("malformed client messages are refused", () => {
  for (const bad of [
    "",
    "n,,auth=Bearer t^A^A",
    "y,,^Aauth=Bearer t^A^A",
    "n,,^Aauth=Bearer t^A",
    "n,,^A^A",
    "n,,^Aauth=Basic dXNlcg==^A^A",
    "n,,^Aauth=Bearer t t^A^A",
    "n,,^Aauth=Bearer t^Ano-equals^A^A",
    "n,,^Aauth=Bearer t^Ak1=v^A^A",
    "n,,^Aauth=Bearer bad!token^A^A",
  ])
    assert.throws(() => parseClientMessage(raw(bad)), OAuthMessageError, bad);
});

test("the error reply is Kafka's JSON and the client acknowledges it with a lone \\x01", () => {
  assert.equal(errorReply("invalid_token"), '{"status":"invalid_token"}');
  assert.deepEqual(JSON.parse(errorReply("insufficient_scope", "a b")), {
    status: "insufficient_scope",
    scope: "a b",
  });
  assert.equal(isErrorAcknowledgement(raw("^A")), true);
  assert.equal(isErrorAcknowledgement(raw("^A^A")), false);
  assert.equal(isErrorAcknowledgement(raw("x")), false);
});
