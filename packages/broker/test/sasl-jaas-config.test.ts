/** The sasl.jaas.config values brokers are configured with, as Kafka's docs write them. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { JaasConfigError, parseJaasConfig, plainUsersOf } from "../src/sasl/jaas-config.js";

test("a PLAIN broker config gives its users; quoted values keep spaces and escapes", () => {
  const modules = parseJaasConfig(
    'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="a \\"quoted\\" secret;" user_bob=plain;',
  );
  assert.equal(modules.length, 1);
  assert.equal(modules[0]?.loginModule, "org.apache.kafka.common.security.plain.PlainLoginModule");
  assert.equal(modules[0]?.flag, "required");
  assert.deepEqual(
    plainUsersOf(modules),
    new Map([
      ["admin", "admin-secret"],
      ["alice", 'a "quoted" secret;'],
      ["bob", "plain"],
    ]),
  );
});

test("a SCRAM module without options, and malformed configs", () => {
  const [m] = parseJaasConfig("org.apache.kafka.common.security.scram.ScramLoginModule required;");
  assert.equal(m?.options.size, 0);
  const refused = (text: string, pattern: RegExp) =>
    assert.throws(
      () => parseJaasConfig(text),
      (e: unknown) => e instanceof JaasConfigError && pattern.test(e.message),
    );
  refused("Module required user_a=b", /not terminated by semi-colon/);
  refused("Module maybe;", /Invalid JAAS config/);
  refused("Module required user_a;", /expected key=value/);
  refused('Module required user_a="open;', /unterminated/);
  refused("   ", /no login module/);
});
