import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode, Reader } from "@logbook/protocol";
import { silentLogger } from "@logbook/storage";
import { decodeConsumerGroupRecord } from "../src/consumer-records.js";
import { GroupCoordinator } from "../src/group-coordinator.js";
import { type LogRecord, MemoryRecordLog } from "../src/record-log.js";
import { flat, hb, next, settle, TestTopics } from "./consumer-helpers.js";
import { FakeClock } from "./fake-clock.js";

async function open(topics: TestTopics, log = new MemoryRecordLog(), clock = new FakeClock()) {
  const c = await GroupCoordinator.open({
    log,
    logger: silentLogger,
    clock,
    topics,
    config: { consumerSessionTimeoutMs: 45_000, consumerHeartbeatIntervalMs: 5000 },
  });
  clock.settle = () => c.idle();
  return { c, log, clock };
}

function topics(): TestTopics {
  const t = new TestTopics();
  t.set("orders-eu", 2);
  t.set("orders-us", 2);
  t.set("payments", 2);
  return t;
}

const byRegex = (regex: string) => ({ subscribedTopicNames: null, subscribedTopicRegex: regex });

/** The kind-16 records in the log, in order: "regex -> topics" or "regex -> (gone)". */
async function regexRecords(log: MemoryRecordLog): Promise<string[]> {
  const all: LogRecord[] = [];
  await log.replay((r) => all.push(r));
  const out: string[] = [];
  for (const r of all) {
    const key = new Reader(r.key);
    const kind = key.int16();
    if (kind !== 16) continue;
    const rec = decodeConsumerGroupRecord(kind, key, r.value === null ? null : new Reader(r.value));
    if (rec?.kind !== "cg-regex") continue;
    out.push(`${rec.regex} -> ${rec.value === null ? "(gone)" : rec.value.topics.join(",")}`);
  }
  return out;
}

describe("consumer group regular-expression subscriptions", () => {
  it("an invalid expression answers INVALID_REGULAR_EXPRESSION with RE2/J's description", async () => {
    const { c } = await open(topics());
    const r = await c.consumerHeartbeat(hb(byRegex("orders-(")));
    assert.equal(r.errorCode, ErrorCode.INVALID_REGULAR_EXPRESSION);
    assert.equal(
      r.errorMessage,
      "SubscribedTopicRegex `orders-(` is not a valid regular expression: missing closing ).",
    );
    // Java-only syntax is refused as RE2/J refuses it.
    const look = await c.consumerHeartbeat(hb(byRegex("(?=orders).*")));
    assert.equal(look.errorCode, ErrorCode.INVALID_REGULAR_EXPRESSION);
  });

  it("the matching topics (whole names only) are the member's subscription", async () => {
    const t = topics();
    const { c } = await open(t);
    const r = await c.consumerHeartbeat(hb(byRegex("orders-.*")));
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.memberEpoch, 1);
    const ids = new Set((r.assignment ?? []).map((x) => x.topicId.toString("hex")));
    assert.deepEqual(
      ids,
      new Set([t.id("orders-eu").toString("hex"), t.id("orders-us").toString("hex")]),
    );
    assert.equal(flat(r.assignment).length, 4);
    // "orders" alone is a prefix of the names: no match (full-match semantics).
    const p = await c.consumerHeartbeat(hb({ memberId: "p", groupId: "g2", ...byRegex("orders") }));
    assert.equal(flat(p.assignment).length, 0);
    const [d] = await c.consumerGroupDescribe(["g"]);
    assert.equal(d?.members[0]?.subscribedTopicRegex, "orders-.*");
    assert.deepEqual(d?.members[0]?.subscribedTopicNames, []);
    assert.deepEqual(d?.members[0]?.assignment.map((x) => x.topicName).sort(), [
      "orders-eu",
      "orders-us",
    ]);
  });

  it("a created topic that matches is picked up at the next heartbeat, a deleted one goes", async () => {
    const t = topics();
    const { c } = await open(t);
    const a = await settle(c, "m1", await c.consumerHeartbeat(hb(byRegex("orders-.*"))));
    assert.equal(flat(a.assignment).length, 4);
    t.set("orders-jp", 3);
    const b = await settle(c, "m1", await c.consumerHeartbeat(next("m1", a.memberEpoch, null)));
    assert.equal(b.memberEpoch, a.memberEpoch + 1, "the group epoch moved");
    assert.equal(flat(b.assignment).length, 7);
    t.delete("orders-eu");
    const d = await settle(c, "m1", await c.consumerHeartbeat(next("m1", b.memberEpoch, null)));
    assert.equal(flat(d.assignment).length, 5);
  });

  it("members sharing an expression share one record; it goes when nobody uses it", async () => {
    const { c, log } = await open(topics());
    const a = await c.consumerHeartbeat(hb({ memberId: "a", ...byRegex("orders-.*") }));
    const b = await c.consumerHeartbeat(hb({ memberId: "b", ...byRegex("orders-.*") }));
    assert.deepEqual(await regexRecords(log), ["orders-.* -> orders-eu,orders-us"]);
    // The expressions' topics are split between the two members.
    const sa = await settle(c, "a", a);
    const sb = await settle(c, "b", b);
    assert.equal(flat(sa.assignment).length + flat(sb.assignment).length, 4);
    await c.consumerHeartbeat(next("a", sa.memberEpoch, null, { memberEpoch: -1 }));
    assert.equal((await regexRecords(log)).length, 1, "b still uses it");
    // b moves to topic names: the expression is removed.
    await c.consumerHeartbeat(
      next("b", sb.memberEpoch, null, {
        subscribedTopicNames: ["payments"],
        subscribedTopicRegex: "",
      }),
    );
    assert.deepEqual(await regexRecords(log), [
      "orders-.* -> orders-eu,orders-us",
      "orders-.* -> (gone)",
    ]);
  });

  it("a member leaving alone takes its expression with it", async () => {
    const { c, log } = await open(topics());
    const a = await c.consumerHeartbeat(hb({ memberId: "a", ...byRegex("pay.*") }));
    await c.consumerHeartbeat(next("a", a.memberEpoch, null, { memberEpoch: -1 }));
    assert.deepEqual(await regexRecords(log), ["pay.* -> payments", "pay.* -> (gone)"]);
  });

  it("resolved expressions are rebuilt by replay", async () => {
    const t = topics();
    const { c, log } = await open(t);
    const a = await settle(
      c,
      "a",
      await c.consumerHeartbeat(hb({ memberId: "a", ...byRegex("orders-.*") })),
    );
    const { c: rebuilt } = await open(t, log);
    const [d] = await rebuilt.consumerGroupDescribe(["g"]);
    assert.equal(d?.groupEpoch, a.memberEpoch);
    // Nothing moved: the next heartbeat writes no new resolution and keeps the epoch.
    const before = (await regexRecords(log)).length;
    const again = await rebuilt.consumerHeartbeat(next("a", a.memberEpoch, null));
    assert.equal(again.errorCode, ErrorCode.NONE);
    assert.equal(again.memberEpoch, a.memberEpoch);
    assert.equal((await regexRecords(log)).length, before);
  });

  it("names and an expression together subscribe to both; describe shows what is being revoked", async () => {
    const { c } = await open(topics());
    const a = await settle(
      c,
      "m1",
      await c.consumerHeartbeat(
        hb({ subscribedTopicNames: ["payments"], subscribedTopicRegex: "orders-eu" }),
      ),
    );
    assert.equal(flat(a.assignment).length, 4);
    // The names go: payments is to be revoked, and is still the member's until it is.
    const r = await c.consumerHeartbeat(
      next("m1", a.memberEpoch, a.assignment, { subscribedTopicNames: [] }),
    );
    assert.equal(flat(r.assignment).length, 2);
    const [d] = await c.consumerGroupDescribe(["g"]);
    const names = (x: { topicName: string; partitions: number[] }[] | undefined) =>
      (x ?? []).map((t) => `${t.topicName}:${t.partitions.join(",")}`).sort();
    assert.deepEqual(names(d?.members[0]?.assignment), ["orders-eu:0,1", "payments:0,1"]);
    assert.deepEqual(names(d?.members[0]?.targetAssignment), ["orders-eu:0,1"]);
    await c.consumerHeartbeat(next("m1", r.memberEpoch, r.assignment));
    const [after] = await c.consumerGroupDescribe(["g"]);
    assert.deepEqual(names(after?.members[0]?.assignment), ["orders-eu:0,1"]);
  });
});
