/**
 * Every API Logbook advertises, at the oldest and the newest version that both Logbook
 * and Kafka serve, with one meaningful request each (probe-requests.ts), answers like
 * Kafka field by field. Versions only Logbook serves are checked in versions.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type ApiVersionsResponse, ProduceApi } from "@logbook/protocol";
import { describeDifference } from "./diff.js";
import { type Conversation, DiffPair, type Side } from "./pair.js";
import { codecFor, PROBES } from "./probe-requests.js";
import { apiVersions, batch, settleCoordinator, settleTransactions, topicIds } from "./setup.js";

let pair: DiffPair;
let conv: Conversation;
let ids: Record<Side, Buffer>;
let versions: Record<Side, ApiVersionsResponse>;
let records: Buffer;

before(async () => {
  pair = await DiffPair.start();
  conv = await pair.conversation();
  await conv.createTopic("probe", 1);
  ids = await topicIds(conv, "probe");
  await settleCoordinator(conv, "probe-group", 0);
  await settleTransactions(conv);
  records = await batch(3);
  versions = await apiVersions(conv);
});
after(async () => {
  conv?.close();
  await pair?.stop();
});

test("every API Logbook advertises answers like Kafka at the oldest and newest common version", async () => {
  const failures: string[] = [];
  let compared = 0;
  for (const lb of versions.logbook.apiKeys) {
    const k = versions.kafka.apiKeys.find((a) => a.apiKey === lb.apiKey);
    const api = codecFor(lb.apiKey);
    const probe = PROBES[lb.apiKey];
    if (probe === undefined) {
      failures.push(`${api.name}: no probe request written`);
      continue;
    }
    if (k === undefined) {
      failures.push(`${api.name}: Kafka does not serve it`);
      continue;
    }
    // Produce v0-v2: advertised by both, served by neither (see versions.test.ts).
    const firstServed = lb.apiKey === ProduceApi.apiKey ? 3 : 0;
    const lo = Math.max(lb.minVersion, k.minVersion, firstServed);
    const hi = Math.min(lb.maxVersion, k.maxVersion);
    for (const v of new Set([lo, hi])) {
      const x = await conv.exchange(api, v, (side) =>
        probe({
          side,
          topic: "probe",
          topicId: ids[side],
          version: v,
          tag: `${lb.apiKey}-${v}`,
          batch: records,
        }),
      );
      compared++;
      if (x.kafka.kind !== "answer") failures.push(`${api.name} v${v}: Kafka ${x.kafka.kind}`);
      for (const d of x.differences) failures.push(`${api.name} v${v}: ${describeDifference(d)}`);
      await conv.reopenClosed();
    }
  }
  assert.deepEqual(failures, []);
  // 35 APIs at one or two versions each: a guard against a loop that compared nothing.
  assert.ok(compared >= 60, `compared ${compared} exchanges`);
});
