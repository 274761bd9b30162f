/**
 * SCRAM's server side: RFC 7677's SCRAM-SHA-256 example replayed byte for byte, a client
 * that knows the password against one that does not (fast-check, names with the
 * characters SCRAM escapes), and the failures a client can cause.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  clientProof,
  encodeSaslName,
  SCRAM_MECHANISMS,
  saltPassword,
  scramKeys,
  scramMechanismByName,
} from "@logbook/client";
import fc from "fast-check";
import { SaslAuthenticationError } from "../src/sasl/sasl-error.js";
import { ScramServerExchange } from "../src/sasl/scram-exchange.js";

const SHA256 = scramMechanismByName("SCRAM-SHA-256");
if (SHA256 === undefined) throw new Error("no SCRAM-SHA-256");

test("RFC 7677's SCRAM-SHA-256 exchange is answered byte for byte", async () => {
  const salt = Buffer.from("W22ZaJ0SNY7soEsUEjb6gQ==", "base64");
  const salted = await saltPassword(SHA256, "pencil", salt, 4096);
  const keys = scramKeys(SHA256, salt, salted, 4096);
  const server = new ScramServerExchange(
    SHA256,
    (user) => (user === "user" ? keys : undefined),
    () => "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
  );
  const first = await server.evaluate(Buffer.from("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
  assert.equal(
    first.response.toString(),
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
  );
  assert.equal(first.user, undefined);
  const final = await server.evaluate(
    Buffer.from(
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    ),
  );
  assert.equal(final.response.toString(), "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
  assert.equal(final.user, "user");
});

/** Plays the client of RFC 5802 against the server; resolves to the user or the refusal. */
async function login(
  mechanismName: string,
  stored: { user: string; password: string },
  attempt: { user: string; password: string },
  /** librdkafka's form: its own nonce again in front of the combined one. */
  nonceTwice = false,
): Promise<string | SaslAuthenticationError> {
  const m = scramMechanismByName(mechanismName);
  if (m === undefined) throw new Error(mechanismName);
  const salt = Buffer.from("a salt of sixteen");
  const keys = scramKeys(m, salt, await saltPassword(m, stored.password, salt, 4096), 4096);
  const server = new ScramServerExchange(m, (u, mech) =>
    u === stored.user && mech === m ? keys : undefined,
  );
  const bare = `n=${encodeSaslName(attempt.user)},r=clientnonce123`;
  try {
    const serverFirst = (await server.evaluate(Buffer.from(`n,,${bare}`))).response.toString();
    const nonce = /r=([^,]+)/.exec(serverFirst)?.[1] ?? "";
    const withoutProof = `c=biws,r=${nonceTwice ? "clientnonce123" : ""}${nonce}`;
    const salted = await saltPassword(m, attempt.password, salt, 4096);
    const proof = clientProof(m, salted, `${bare},${serverFirst},${withoutProof}`);
    const done = await server.evaluate(
      Buffer.from(`${withoutProof},p=${proof.toString("base64")}`),
    );
    return done.user ?? "";
  } catch (e) {
    if (e instanceof SaslAuthenticationError) return e;
    throw e;
  }
}

test("a client with the password gets in, one without does not (both mechanisms)", async () => {
  const name = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.includes("\u0000"));
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...SCRAM_MECHANISMS.map((m) => m.name)),
      name,
      fc.string({ minLength: 1, maxLength: 12 }),
      fc.string({ minLength: 1, maxLength: 12 }),
      async (mechanism, user, password, other) => {
        const ok = await login(mechanism, { user, password }, { user, password });
        assert.equal(ok, user);
        const wrong = await login(mechanism, { user, password }, { user, password: other });
        if (other === password) assert.equal(wrong, user);
        else {
          assert.ok(wrong instanceof SaslAuthenticationError);
          assert.equal(
            wrong.message,
            `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`,
          );
        }
      },
    ),
    { numRuns: 40 },
  );
});

test("librdkafka's final message (its nonce in front of the combined one) is accepted, as Kafka accepts it", async () => {
  const user = { user: "alice", password: "alice-secret" };
  assert.equal(await login("SCRAM-SHA-256", user, user, true), "alice");
  const wrong = await login("SCRAM-SHA-256", user, { ...user, password: "x" }, true);
  assert.ok(wrong instanceof SaslAuthenticationError);
});

test("an unknown user, a wrong nonce, channel binding and a repeated message are refused", async () => {
  const unknown = await login(
    "SCRAM-SHA-256",
    { user: "alice", password: "pw" },
    { user: "bob", password: "pw" },
  );
  assert.ok(unknown instanceof SaslAuthenticationError);
  assert.match(String((unknown.cause as Error).message), /Invalid user credentials/);

  const salt = Buffer.from("salt");
  const keys = scramKeys(SHA256, salt, await saltPassword(SHA256, "pw", salt, 4096), 4096);
  const exchange = () => new ScramServerExchange(SHA256, () => keys);
  const causeOf = async (steps: string[]): Promise<string> => {
    const s = exchange();
    try {
      for (const step of steps) await s.evaluate(Buffer.from(step));
    } catch (e) {
      assert.ok(e instanceof SaslAuthenticationError);
      return (e.cause as Error).message;
    }
    return "accepted";
  };
  assert.match(await causeOf(["p=tls-unique,,n=alice,r=abc"]), /channel binding is not supported/);
  assert.match(await causeOf(["n,,n=alice,r=abc", "c=biws,r=abcX,p=AAAA"]), /nonce/);
  assert.match(await causeOf(["n,a=bob,n=alice,r=abc"]), /authorization id/);
  assert.match(await causeOf(["n,,n=alice,r=abc,tokenauth=true"]), /Delegation token/);
  assert.match(await causeOf(["n,,n=al=ice,r=abc"]), /Invalid SCRAM user name/);
  assert.match(await causeOf(["garbage"]), /gs2 header/);
});
