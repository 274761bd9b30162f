/**
 * The authorizer settings as Kafka reads them: Kafka's StandardAuthorizer class turns
 * ACLs on, any other class is a start-up error, super.users is split on semicolons.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "../src/cli/load-config.js";
import { STANDARD_AUTHORIZER } from "../src/config/authorizer-settings.js";

const load = (overrides: string[]) => loadConfig({ cli: [], env: {}, overrides }).config;

test("authorizer.class.name accepts Kafka's StandardAuthorizer or nothing; another class stops start-up", () => {
  assert.equal(load([]).authorizerClassName, "");
  assert.equal(
    load([`authorizer.class.name=${STANDARD_AUTHORIZER}`]).authorizerClassName,
    STANDARD_AUTHORIZER,
  );
  assert.throws(
    () => load(["authorizer.class.name=kafka.security.authorizer.AclAuthorizer"]),
    /invalid authorizer.class.name: Class kafka.security.authorizer.AclAuthorizer cannot be found/,
  );
});

test("super.users is a semicolon-separated list of principals", () => {
  assert.deepEqual(load(["super.users=User:admin; User:CN=ops,O=acme ;"]).superUsers, [
    "User:admin",
    "User:CN=ops,O=acme",
  ]);
  assert.throws(() => load(["super.users=admin"]), /invalid super.users/);
  assert.equal(load(["allow.everyone.if.no.acl.found=true"]).allowEveryoneIfNoAclFound, true);
});
