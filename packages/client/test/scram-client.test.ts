/**
 * SCRAM's client side: RFC 7677's SCRAM-SHA-256 example played byte for byte, and the
 * server answers a client must refuse (a nonce that is not an extension of its own, too
 * few iterations, a signature from a server that does not know the password).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { KafkaError, ScramClient, scramMechanismByName } from "../src/index.js";

const SHA256 = scramMechanismByName("SCRAM-SHA-256") ?? assert.fail("no SCRAM-SHA-256");

const CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
const SERVER_FIRST =
  "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

test("RFC 7677's SCRAM-SHA-256 exchange is played byte for byte", async () => {
  const client = new ScramClient(SHA256, "user", "pencil", CLIENT_NONCE);
  assert.equal(client.first().toString(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  const final = await client.final(Buffer.from(SERVER_FIRST));
  assert.equal(
    final.toString(),
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  );
  client.verify(Buffer.from("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="));
});

test("user names escape ',' and '=' as saslname", () => {
  const client = new ScramClient(SHA256, "a,b=c", "pw", "nonce");
  assert.equal(client.first().toString(), "n,,n=a=2Cb=3Dc,r=nonce");
});

async function refusal(serverFirst: string, serverFinal?: string): Promise<KafkaError> {
  const client = new ScramClient(SHA256, "user", "pencil", CLIENT_NONCE);
  try {
    await client.final(Buffer.from(serverFirst));
    if (serverFinal !== undefined) client.verify(Buffer.from(serverFinal));
  } catch (e) {
    assert.ok(e instanceof KafkaError);
    return e;
  }
  assert.fail("the client accepted the server's answer");
}

test("a server nonce that does not extend the client's is refused", async () => {
  const e = await refusal("r=someoneelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
  assert.equal(e.errorName, "SASL_AUTHENTICATION_FAILED");
});

test("fewer iterations than 4096 are refused", async () => {
  const e = await refusal(SERVER_FIRST.replace("i=4096", "i=4095"));
  assert.match(e.message, /iterations 4095/);
});

test("a server signature that does not prove the password is refused", async () => {
  const e = await refusal(SERVER_FIRST, "v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
  assert.match(e.message, /server signature/);
  const e2 = await refusal(SERVER_FIRST, "e=invalid-proof");
  assert.match(e2.message, /invalid-proof/);
});
