/**
 * How a client command's TLS and SASL settings are found: flag, then environment (user
 * and password), then profile; what implies TLS; and the usage errors of half a setting.
 */
import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { resolveSecurity } from "../src/cli/commands/security-flags.js";
import { UsageError } from "../src/cli/commands/usage-error.js";

test("no flags, no profile: plain TCP without SASL", async () => {
  assert.deepEqual(await resolveSecurity({}, {}, {}), {});
});

test("--ca, --cert or --tls-insecure imply TLS; the server name is checked unless insecure", async () => {
  const dir = await mkdtemp(join(tmpdir(), "logbook-security-flags-"));
  const ca = join(dir, "ca.pem");
  await writeFile(ca, "PEM");
  const withCa = await resolveSecurity({ ca }, {}, {});
  assert.deepEqual(withCa.tls, { ca: Buffer.from("PEM"), checkServerName: true });
  assert.deepEqual((await resolveSecurity({}, {}, { "tls-insecure": true })).tls, {
    checkServerName: false,
  });
  assert.deepEqual((await resolveSecurity({}, {}, { tls: true })).tls, { checkServerName: true });
  await assert.rejects(resolveSecurity({ ca: join(dir, "missing.pem") }, {}, {}), UsageError);
  await assert.rejects(resolveSecurity({ cert: ca }, {}, {}), /--cert and --cert-key go together/);
});

test("SASL: a flag wins over the environment, which wins over the profile", async () => {
  const profile = { "sasl-mechanism": "SCRAM-SHA-256", user: "p-user", password: "p-pass" };
  assert.deepEqual((await resolveSecurity({}, {}, profile)).sasl, {
    mechanism: "SCRAM-SHA-256",
    username: "p-user",
    password: "p-pass",
  });
  const env = { LOGBOOK_SASL_USERNAME: "e-user", LOGBOOK_SASL_PASSWORD: "e-pass" };
  assert.deepEqual((await resolveSecurity({}, env, profile)).sasl, {
    mechanism: "SCRAM-SHA-256",
    username: "e-user",
    password: "e-pass",
  });
  assert.deepEqual(
    (await resolveSecurity({ saslMechanism: "PLAIN", user: "f", password: "fp" }, env, profile))
      .sasl,
    { mechanism: "PLAIN", username: "f", password: "fp" },
  );
});

test("half a SASL setting is a usage error", async () => {
  await assert.rejects(resolveSecurity({ user: "a" }, {}, {}), /need --sasl-mechanism/);
  await assert.rejects(resolveSecurity({ saslMechanism: "PLAIN" }, {}, {}), /needs --user/);
  await assert.rejects(
    resolveSecurity({ saslMechanism: "PLAIN", user: "a" }, {}, {}),
    /needs --password/,
  );
  await assert.rejects(
    resolveSecurity({ saslMechanism: "GSSAPI", user: "a", password: "b" }, {}, {}),
    /--sasl-mechanism must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512/,
  );
});
