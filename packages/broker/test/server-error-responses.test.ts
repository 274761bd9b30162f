/**
 * The generated error responses (ApiCodec.errorResponse, Kafka's getErrorResponse) that
 * the dispatcher sends when a handler fails: for every API the broker serves at every
 * version it serves, built from random requests that went through the wire, they
 * encode and decode, and every error field carries the code. Then the shape of a few:
 * one element per requested item, with the item's identity.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type ApiCodec,
  createFetchRequest,
  createFetchRequestPartition,
  createFetchRequestTopic,
  createFindCoordinatorRequest,
  createOffsetCommitRequest,
  createOffsetCommitRequestPartition,
  createOffsetCommitRequestTopic,
  createOffsetFetchRequest,
  createOffsetFetchRequestTopic,
  DescribeGroupsApi,
  decodeRequestFrame,
  decodeResponseFrame,
  ErrorCode,
  encodeRequestFrame,
  encodeResponseFrame,
  FetchApi,
  FindCoordinatorApi,
  OffsetCommitApi,
  OffsetFetchApi,
} from "@logbook/protocol";
import fc from "fast-check";
import {
  contains,
  elementType,
  type FieldSpec,
  type MessageSpec,
  PRIMITIVES,
} from "../../../scripts/protocol-gen/spec-model.js";
import { ArbitraryBuilder, specs } from "../../protocol/test/helpers/schema-arbitrary.js";
import { allHandlers } from "../src/handlers/index.js";

/** Not an outcome of the request: Kafka leaves it NONE in an error response. */
const NOT_SET = new Set(["topicConfigErrorCode"]);
type Value = Record<string, unknown>;
/**
 * Versions whose response has no error field for a failed request: Kafka answers them
 * the same way (an empty result list).
 */
const NO_ERROR_FIELD: Record<string, number[]> = {
  // Errors are per log dir before v3, and the request names none.
  DescribeLogDirs: [0, 1, 2],
};

/** Every `…ErrorCode` field of `value` that exists at `version`, with its path. */
function errorFields(
  msg: MessageSpec,
  fields: FieldSpec[],
  value: Record<string, unknown>,
  version: number,
  path: string,
  out: [string, unknown][],
): [string, unknown][] {
  for (const f of fields) {
    if (!contains(f.versions, version)) continue;
    const key = f.name.charAt(0).toLowerCase() + f.name.slice(1);
    const v = value[key];
    const base = elementType(f.type) ?? f.type;
    if (f.type === "int16" && f.name.endsWith("ErrorCode")) {
      if (!NOT_SET.has(key)) out.push([`${path}.${key}`, v]);
      continue;
    }
    if (PRIMITIVES.has(base) || v === null) continue;
    const inner = f.fields ?? msg.commonStructs.find((c) => c.name === base)?.fields ?? [];
    const items = (Array.isArray(v) ? v : [v]) as Record<string, unknown>[];
    for (const [i, item] of items.entries())
      errorFields(msg, inner, item, version, `${path}.${key}[${i}]`, out);
  }
  return out;
}

/** The request as the handler sees it: encoded at `version` and decoded back. */
function overTheWire<Req>(api: ApiCodec<Req, unknown>, version: number, req: Req): Req {
  const frame = encodeRequestFrame(api, version, { correlationId: 1, clientId: "t" }, req);
  return decodeRequestFrame(api, frame.subarray(4)).body;
}

function answered<Req, Res>(api: ApiCodec<Req, Res>, version: number, req: Req): Res {
  const body = api.errorResponse(overTheWire(api, version, req), ErrorCode.UNKNOWN_SERVER_ERROR);
  const frame = encodeResponseFrame(api, version, 7, body);
  return decodeResponseFrame(api, version, frame.subarray(4)).body;
}

test("every served API's error response encodes at every served version with the code in every error field", () => {
  let cases = 0;
  for (const h of allHandlers()) {
    const spec = specs.find((m) => m.kind === "request" && m.apiKey === h.api.apiKey);
    const resSpec = specs.find((m) => m.kind === "response" && m.apiKey === h.api.apiKey);
    assert.ok(spec && resSpec, `no spec for ${h.api.name}`);
    for (let v = h.minVersion; v <= h.maxVersion; v++) {
      const requests = fc.sample(new ArbitraryBuilder(spec, v).top(), { numRuns: 8, seed: v });
      let checked = 0;
      for (const req of [h.api.request.create(), ...requests]) {
        const res = answered(h.api, v, req);
        const fields = errorFields(resSpec, resSpec.fields, res as Value, v, h.api.name, []);
        for (const [path, code] of fields)
          assert.equal(code, ErrorCode.UNKNOWN_SERVER_ERROR, `${path} at v${v}`);
        checked += fields.length;
      }
      const none = NO_ERROR_FIELD[h.api.name]?.includes(v) === true;
      assert.equal(checked > 0, !none, `${h.api.name} v${v}: error fields filled: ${checked}`);
      cases++;
    }
  }
  assert.ok(cases >= 200, `only ${cases} API versions`);
});

test("OffsetCommit answers each requested partition under its topic", () => {
  const res = answered(
    OffsetCommitApi,
    8,
    createOffsetCommitRequest({
      groupId: "g",
      topics: ["a", "b"].map((name) =>
        createOffsetCommitRequestTopic({
          name,
          partitions: [3, 5].map((partitionIndex) =>
            createOffsetCommitRequestPartition({ partitionIndex }),
          ),
        }),
      ),
    }),
  );
  assert.deepEqual(
    res.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
    ["a", "b"].map((n) => [
      n,
      [
        [3, -1],
        [5, -1],
      ],
    ]),
  );
});

test("Fetch answers each requested partition with no data, by name or by topic id", () => {
  const topicId = Buffer.alloc(16, 7);
  for (const version of [4, 13]) {
    const res = answered(
      FetchApi,
      version,
      createFetchRequest({
        topics: [
          createFetchRequestTopic({
            topic: version < 13 ? "t" : "",
            topicId,
            partitions: [0, 2].map((partition) => createFetchRequestPartition({ partition })),
          }),
        ],
      }),
    );
    const t = res.responses[0];
    assert.equal(
      version < 13 ? t?.topic : t?.topicId.toString("hex"),
      version < 13 ? "t" : topicId.toString("hex"),
    );
    assert.deepEqual(
      t?.partitions.map((p) => [p.partitionIndex, p.errorCode, p.highWatermark, p.records]),
      [
        [0, -1, -1n, null],
        [2, -1, -1n, null],
      ],
    );
  }
});

test("APIs that list bare keys get one result per key: FindCoordinator v4, DescribeGroups, OffsetFetch", () => {
  const fc4 = answered(
    FindCoordinatorApi,
    4,
    createFindCoordinatorRequest({ keyType: 0, coordinatorKeys: ["g1", "g2"] }),
  );
  assert.deepEqual(
    fc4.coordinators.map((c) => [c.key, c.errorCode, c.nodeId]),
    [
      ["g1", -1, -1],
      ["g2", -1, -1],
    ],
  );
  const dg = answered(DescribeGroupsApi, 5, {
    groups: ["x", "y"],
    includeAuthorizedOperations: false,
  });
  assert.deepEqual(
    dg.groups.map((g) => [g.groupId, g.errorCode]),
    [
      ["x", -1],
      ["y", -1],
    ],
  );
  const of = answered(
    OffsetFetchApi,
    1,
    createOffsetFetchRequest({
      groupId: "g",
      topics: [createOffsetFetchRequestTopic({ name: "t", partitionIndexes: [4] })],
    }),
  );
  assert.deepEqual(
    of.topics.map((t) => [
      t.name,
      t.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.errorCode]),
    ]),
    [["t", [[4, -1n, -1]]]],
  );
});
