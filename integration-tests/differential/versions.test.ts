/**
 * ApiVersions against Kafka's: every range where Logbook serves less than Kafka is in
 * the written table (version-ranges.ts) with its reason, and every version Logbook
 * advertises is really served (a decodable answer without UNSUPPORTED_VERSION), except
 * Produce v0-v2, which are advertised for old librdkafka and refused per partition.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  type ApiVersionsResponse,
  decodeResponseFrame,
  ErrorCode,
  ProduceApi,
  type ProduceRequest,
} from "@logbook/protocol";
import { EXPECTED_DIVERGENCES } from "./allowed-differences.js";
import { type Conversation, DiffPair, type Side } from "./pair.js";
import { codecFor, PROBES, type ProbeContext } from "./probe-requests.js";
import { apiVersions, batch, settleCoordinator, topicIds } from "./setup.js";
import { NARROWER_RANGES } from "./version-ranges.js";

let pair: DiffPair;
let conv: Conversation;
let ids: Record<Side, Buffer>;
let versions: Record<Side, ApiVersionsResponse>;

before(async () => {
  pair = await DiffPair.start();
  conv = await pair.conversation();
  await conv.createTopic("probe", 1);
  ids = await topicIds(conv, "probe");
  await settleCoordinator(conv, "probe-group", 0);
  versions = await apiVersions(conv);
});
after(async () => {
  conv?.close();
  await pair?.stop();
});

const range = (r: { minVersion: number; maxVersion: number } | undefined) =>
  r === undefined ? "none" : `${r.minVersion}-${r.maxVersion}`;

test("every range narrower than Kafka's is in the written table, with a reason", () => {
  const narrower: Record<number, { logbook: string; kafka: string }> = {};
  for (const k of versions.kafka.apiKeys) {
    const l = versions.logbook.apiKeys.find((a) => a.apiKey === k.apiKey);
    if (l === undefined || l.maxVersion < k.maxVersion || l.minVersion > k.minVersion)
      narrower[k.apiKey] = { logbook: range(l), kafka: range(k) };
  }
  const written = Object.fromEntries(
    Object.entries(NARROWER_RANGES).map(([key, r]) => [
      key,
      { logbook: r.logbook, kafka: r.kafka },
    ]),
  );
  assert.deepEqual(narrower, written);
  for (const r of Object.values(NARROWER_RANGES))
    assert.ok(r.reason.length > 20, `${r.api} has a reason`);
});

test("Logbook advertises no API Kafka does not have, and the same ApiVersions answer otherwise", () => {
  const kafkaKeys = new Set(versions.kafka.apiKeys.map((a) => a.apiKey));
  assert.deepEqual(
    versions.logbook.apiKeys.filter((a) => !kafkaKeys.has(a.apiKey)).map((a) => a.apiKey),
    [],
  );
  assert.equal(versions.logbook.errorCode, versions.kafka.errorCode);
});

/** Every errorCode-like field in a decoded answer. */
function errorCodes(v: unknown, out: number[] = []): number[] {
  if (Array.isArray(v)) for (const e of v) errorCodes(e, out);
  else if (typeof v === "object" && v !== null && !(v instanceof Uint8Array)) {
    for (const [k, x] of Object.entries(v)) {
      if (/errorcode$/i.test(k) && typeof x === "number") out.push(x);
      else errorCodes(x, out);
    }
  }
  return out;
}

test("every version Logbook advertises is served: a decodable answer, never UNSUPPORTED_VERSION", async () => {
  const records = await batch(1);
  const failures: string[] = [];
  let checked = 0;
  for (const a of versions.logbook.apiKeys) {
    const api = codecFor(a.apiKey);
    const probe = PROBES[a.apiKey];
    if (probe === undefined) {
      failures.push(`${api.name}: no probe request`);
      continue;
    }
    for (let v = a.minVersion; v <= a.maxVersion; v++) {
      const client = conv.clients.logbook;
      const f = client.frame(
        api,
        v,
        probe({
          side: "logbook",
          topic: "probe",
          topicId: ids.logbook,
          version: v,
          tag: `only-${a.apiKey}-${v}`,
          batch: records,
        }),
      );
      client.write(f.frame);
      checked++;
      try {
        const codes = errorCodes(decodeResponseFrame(api, v, await client.nextFrame()).body);
        const refused = codes.includes(ErrorCode.UNSUPPORTED_VERSION);
        const documented = a.apiKey === ProduceApi.apiKey && v <= 2;
        if (refused !== documented)
          failures.push(
            `${api.name} v${v}: UNSUPPORTED_VERSION ${refused ? "answered" : "expected"}`,
          );
      } catch (e) {
        failures.push(`${api.name} v${v}: ${(e as Error).message}`);
        await conv.reopenClosed();
      }
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(checked > 150, `checked ${checked} versions`);
});

test("Produce v0-v2 (the documented case): Kafka closes the connection, Logbook refuses each partition", async () => {
  assert.deepEqual(EXPECTED_DIVERGENCES.produceV0toV2.paths, ["(outcome)"]);
  const records = await batch(1);
  for (const v of [0, 1, 2]) {
    const x = await conv.exchange(ProduceApi, v, (side) =>
      (PROBES[ProduceApi.apiKey] as (c: ProbeContext) => ProduceRequest)({
        side,
        topic: "probe",
        topicId: ids[side],
        version: v,
        tag: `p${v}`,
        batch: records,
      }),
    );
    assert.equal(x.kafka.kind, "closed", `Kafka on Produce v${v}`);
    assert.equal(x.logbook.kind, "answer", `Logbook on Produce v${v}`);
    if (x.logbook.kind === "answer") {
      assert.deepEqual(errorCodes(x.logbook.body), [ErrorCode.UNSUPPORTED_VERSION]);
    }
    await conv.reopenClosed();
  }
});
