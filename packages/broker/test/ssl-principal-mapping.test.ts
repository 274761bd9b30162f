/**
 * ssl.principal.mapping.rules: the rule syntax and its mapping, with the examples of
 * Kafka's documentation (as facts) and the corner cases of its parser.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigValueError } from "../src/config/kinds.js";
import { rfc2253 } from "../src/server/peer-principal.js";
import { NoMatchingRule, SslPrincipalMapper } from "../src/server/ssl-principal-mapper.js";

const SERVICE = "CN=serviceuser,OU=ServiceUsers,O=Unknown,L=Unknown,ST=Unknown,C=Unknown";
const ADMIN = "CN=adminUser,OU=Admin,O=Unknown,L=Unknown,ST=Unknown,C=Unknown";

test("DEFAULT is the whole distinguished name, and an empty rule list means DEFAULT", () => {
  assert.equal(SslPrincipalMapper.parse("DEFAULT").name(SERVICE), SERVICE);
  assert.equal(SslPrincipalMapper.parse("").name(ADMIN), ADMIN);
});

test("the documented rule list: the first rule matching the whole name decides", () => {
  const mapper = SslPrincipalMapper.parse(
    [
      "RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/",
      "RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L",
      "RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/L",
      "DEFAULT",
    ].join(","),
  );
  assert.equal(mapper.name(SERVICE), "serviceuser");
  assert.equal(mapper.name(ADMIN), "adminuser@admin");
  assert.equal(mapper.name("OU=x,CN=Some.Host"), "some.host");
  assert.equal(mapper.name("O=nobody"), "O=nobody", "DEFAULT catches the rest");
});

test("L and U change the case of the result; no flag keeps it", () => {
  const dn = "CN=Alice,O=Acme";
  assert.equal(SslPrincipalMapper.parse("RULE:^CN=(.*?),O=(.*)$/$1@$2/").name(dn), "Alice@Acme");
  assert.equal(SslPrincipalMapper.parse("RULE:^CN=(.*?),O=(.*)$/$1@$2/L").name(dn), "alice@acme");
  assert.equal(SslPrincipalMapper.parse("RULE:^CN=(.*?),O=(.*)$/$1@$2/U").name(dn), "ALICE@ACME");
});

test("rules may be separated by newlines and spaces; a pattern may hold commas and \\/", () => {
  const mapper = SslPrincipalMapper.parse(
    "  RULE:^CN=([^,]*),OU=a\\/b$/$1-slash/ \n RULE:^CN=([^,]*),O=x$/$1/U , DEFAULT",
  );
  assert.equal(mapper.name("CN=k,OU=a/b"), "k-slash");
  assert.equal(mapper.name("CN=k,O=x"), "K");
  assert.equal(mapper.name("CN=k,O=y"), "CN=k,O=y");
});

test("a pattern must match the whole name, not a part of it", () => {
  const mapper = SslPrincipalMapper.parse("RULE:CN=([a-z]+)/$1/");
  assert.throws(() => mapper.name("CN=alice,O=Acme"), NoMatchingRule);
  assert.equal(mapper.name("CN=alice"), "alice");
});

test("without DEFAULT a name no rule matches is refused, naming it and the rules", () => {
  const mapper = SslPrincipalMapper.parse("RULE:^CN=(.*)$/$1/");
  assert.throws(
    () => mapper.name("O=Acme"),
    /No rules apply to O=Acme, rules \[RULE:\^CN=\(\.\*\)\$\/\$1\/\]/,
  );
});

test("Java's replacement syntax: named groups and escaped dollars", () => {
  // Java's ${name}, not a template placeholder.
  const named = ["$", "{who}"].join("");
  const mapper = SslPrincipalMapper.parse(`RULE:^CN=(?<who>[a-z]+)$/${named}\\$x/`);
  assert.equal(mapper.name("CN=bob"), "bob$x");
});

test("malformed rules are refused at start-up", () => {
  for (const bad of [
    "RULE:^CN=(.*)$",
    "RULE:^CN=(.*)$/$1",
    "NOT_A_RULE",
    "RULE:^CN=(($/$1/",
    "DEFAULT,oops",
  ])
    assert.throws(() => SslPrincipalMapper.parse(bad), ConfigValueError, bad);
});

test("a certificate subject is written as RFC 2253: most specific first, specials escaped", () => {
  assert.equal(rfc2253("C=US\nO=Acme\nOU=Eng\nCN=alice"), "CN=alice,OU=Eng,O=Acme,C=US");
  assert.equal(rfc2253("O=Acme, Inc.\nCN=a+b"), "CN=a\\+b,O=Acme\\, Inc.");
});
