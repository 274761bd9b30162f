/**
 * kafka-acls (Kafka 4.4's AclCommand) against Logbook and the reference Kafka, both with
 * the StandardAuthorizer and allow.everyone.if.no.acl.found=true (Kafka's controller
 * traffic needs no ACL then; no ACL here names the cluster): --add, --list with pattern
 * types, --remove, the same output on both. Then the ACLs survive a Logbook restart.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type BrokerProcess, removeDir, startBroker } from "./helpers/broker-process.js";
import { assertSame, type Brokers, onBoth, runTool, sortedLines } from "./helpers/kafka-cli.js";
import { startKafka } from "./helpers/kafka-process.js";

const AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
const ACLS = "org.apache.kafka.tools.AclCommand";
const LOGBOOK_ARGS = [
  "-o",
  `authorizer.class.name=${AUTHORIZER}`,
  "-o",
  "allow.everyone.if.no.acl.found=true",
];

let b: Brokers;
let logbook: BrokerProcess;
before(async () => {
  const [kafka, lb] = await Promise.all([
    startKafka({
      config: { "authorizer.class.name": AUTHORIZER, "allow.everyone.if.no.acl.found": "true" },
    }),
    startBroker({ args: LOGBOOK_ARGS }),
  ]);
  logbook = lb;
  b = {
    kafka,
    get logbook() {
      return logbook;
    },
    async stop() {
      await Promise.all([kafka.stop(), logbook.stop()]);
    },
  };
});
after(async () => {
  await b?.stop();
  if (logbook !== undefined) await removeDir(logbook.dataDir);
});

const BS = ["--bootstrap-server", "{bootstrap}"];

test("kafka-acls: --add, --list (literal, prefixed, match), --remove", async () => {
  const add = await onBoth(b, ACLS, [
    ...BS,
    "--add",
    "--allow-principal",
    "User:alice",
    "--operation",
    "Read",
    "--operation",
    "Describe",
    "--topic",
    "orders",
  ]);
  const added = assertSame(add, b, /Adding ACLs for resource/, sortedLines);
  assert.match(added, /principal=User:alice, host=\*, operation=READ, permissionType=ALLOW/);

  assertSame(
    await onBoth(b, ACLS, [
      ...BS,
      "--add",
      "--deny-principal",
      "User:mallory",
      "--deny-host",
      "10.0.0.9",
      "--operation",
      "All",
      "--topic",
      "ord",
      "--resource-pattern-type",
      "prefixed",
    ]),
    b,
    /operation=ALL, permissionType=DENY/,
    sortedLines,
  );
  assertSame(
    await onBoth(b, ACLS, [
      ...BS,
      "--add",
      "--consumer",
      "--allow-principal",
      "User:bob",
      "--topic",
      "orders",
      "--group",
      "billing",
    ]),
    b,
    /resourceType=GROUP, name=billing/,
    sortedLines,
  );

  const list = assertSame(await onBoth(b, ACLS, [...BS, "--list"]), b, /Current ACLs/, sortedLines);
  assert.match(list, /principal=User:bob, host=\*, operation=READ, permissionType=ALLOW/);
  assertSame(
    await onBoth(b, ACLS, [
      ...BS,
      "--list",
      "--topic",
      "orders",
      "--resource-pattern-type",
      "match",
    ]),
    b,
    /patternType=PREFIXED/,
    sortedLines,
  );
  assertSame(
    await onBoth(b, ACLS, [...BS, "--list", "--principal", "User:alice"]),
    b,
    /User:alice/,
    sortedLines,
  );

  assertSame(
    await onBoth(b, ACLS, [...BS, "--remove", "--force", "--topic", "orders"]),
    b,
    // --force removes without a word.
    "",
  );
  const after = assertSame(
    await onBoth(b, ACLS, [...BS, "--list"]),
    b,
    /Current ACLs/,
    sortedLines,
  );
  assert.doesNotMatch(after, /name=orders, patternType=LITERAL/);
});

test("the ACLs kafka-acls added survive a Logbook restart", async () => {
  const list = async () =>
    sortedLines(
      (await runTool(ACLS, ["--bootstrap-server", logbook.bootstrap, "--list"])).stdout.trim(),
    );
  const before = await list();
  assert.match(before, /name=billing/);
  const dataDir = logbook.dataDir;
  assert.equal(await logbook.stop(), 0);
  logbook = await startBroker({ dataDir, args: LOGBOOK_ARGS });
  assert.equal(await list(), before);
});
