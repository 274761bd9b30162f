/**
 * ApiVersions over a real socket: every version we serve, the header rules of
 * pitfalls 1 and 2 checked on the raw bytes, and the KIP-511 software-name check.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ApiVersionsApi,
  createApiVersionsRequest,
  decodeResponseFrame,
  ErrorCode,
} from "@logbook/protocol";
import {
  type InProcessBroker,
  startInProcess,
} from "../../../integration-tests/helpers/in-process.js";
import { WireClient } from "../../../integration-tests/helpers/wire-client.js";
import { FEATURES } from "../src/features.js";

let b: InProcessBroker;
before(async () => {
  b = await startInProcess();
});
after(async () => {
  await b.stop();
});

const request = (version: number) =>
  createApiVersionsRequest(
    version >= 3 ? { clientSoftwareName: "logbook-test", clientSoftwareVersion: "1.0.0" } : {},
  );

test("ApiVersions v0-v5 list exactly the registry's ranges", async () => {
  const expected = b.broker.registry
    .list()
    .map((h) => ({ apiKey: h.api.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }));
  const c = await WireClient.connect(b.port);
  for (let v = 0; v <= 5; v++) {
    const r = await c.request(ApiVersionsApi, v, request(v));
    assert.equal(r.body.errorCode, ErrorCode.NONE, `v${v}`);
    assert.deepEqual(
      r.body.apiKeys.map((k) => ({
        apiKey: k.apiKey,
        minVersion: k.minVersion,
        maxVersion: k.maxVersion,
      })),
      expected,
      `v${v}`,
    );
    const own = r.body.apiKeys.find((k) => k.apiKey === ApiVersionsApi.apiKey);
    assert.deepEqual([own?.minVersion, own?.maxVersion], [0, 5]);
  }
  c.close();
});

test("ApiVersions v3+ takes the flexible request header but answers with response header v0", async () => {
  const c = await WireClient.connect(b.port);
  for (const v of [3, 4]) {
    const { frame, correlationId } = c.frame(ApiVersionsApi, v, request(v));
    // Request header v2: after client id comes the tagged-field byte (0 = none).
    const clientIdLen = frame.readInt16BE(4 + 8);
    assert.equal(frame[4 + 10 + clientIdLen], 0, "request header v2 tag section");
    c.write(frame);
    const resp = await c.nextFrame();
    // Response header v0: correlation id, then straight into the body (error_code INT16),
    // with no tagged-field byte in between (librdkafka: "Protocol parse failure").
    assert.equal(resp.readInt32BE(0), correlationId);
    assert.equal(resp.readInt16BE(4), ErrorCode.NONE);
    const count = b.broker.registry.list().length;
    assert.equal(resp[6], count + 1, "compact array length follows the error code");
    assert.equal(decodeResponseFrame(ApiVersionsApi, v, resp).body.apiKeys.length, count);
  }
  c.close();
});

/** ApiVersions at a version newer than any we know: header v2, flexible body. */
function futureApiVersionsFrame(version: number, correlationId: number): Buffer {
  const clientId = Buffer.from("future-client");
  const name = Buffer.from("future-client");
  const ver = Buffer.from("9.9.9");
  const body = Buffer.concat([
    Buffer.from([0, 18]),
    Buffer.from([version >> 8, version & 0xff]),
    Buffer.alloc(4),
    Buffer.from([0, clientId.length]),
    clientId,
    Buffer.from([0]), // header tags
    Buffer.from([name.length + 1]),
    name,
    Buffer.from([ver.length + 1]),
    ver,
    Buffer.from([0]), // body tags
  ]);
  body.writeInt32BE(correlationId, 4);
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(body.length);
  return Buffer.concat([prefix, body]);
}

test("ApiVersions above our max: UNSUPPORTED_VERSION in the v0 layout with our ranges", async () => {
  const c = await WireClient.connect(b.port);
  for (const [i, v] of [6, 127, 32767].entries()) {
    c.write(futureApiVersionsFrame(v, 1000 + i));
    const resp = await c.nextFrame();
    const decoded = decodeResponseFrame(ApiVersionsApi, 0, resp);
    assert.equal(decoded.header.correlationId, 1000 + i);
    assert.equal(decoded.body.errorCode, ErrorCode.UNSUPPORTED_VERSION);
    const own = decoded.body.apiKeys.find((k) => k.apiKey === 18);
    assert.deepEqual([own?.minVersion, own?.maxVersion], [0, 5]);
    assert.equal(decoded.body.apiKeys.length, b.broker.registry.list().length);
  }
  // The connection stays usable: the client retries at a version we have (kafkajs: v2).
  const r = await c.request(ApiVersionsApi, 2, request(2));
  assert.equal(r.body.errorCode, ErrorCode.NONE);
  c.close();
});

test("ApiVersions v3 with a malformed client software name or version: INVALID_REQUEST", async () => {
  const c = await WireClient.connect(b.port);
  const bad = [
    { clientSoftwareName: "bad name!", clientSoftwareVersion: "1.0" },
    { clientSoftwareName: "", clientSoftwareVersion: "1.0" },
    { clientSoftwareName: "-leading-dash", clientSoftwareVersion: "1.0" },
    { clientSoftwareName: "ok", clientSoftwareVersion: "1.0 beta" },
  ];
  for (const fields of bad) {
    const r = await c.request(ApiVersionsApi, 3, createApiVersionsRequest(fields));
    assert.equal(r.body.errorCode, ErrorCode.INVALID_REQUEST, JSON.stringify(fields));
  }
  const ok = await c.request(
    ApiVersionsApi,
    3,
    createApiVersionsRequest({
      clientSoftwareName: "apache-kafka-java",
      clientSoftwareVersion: "3.9.0",
    }),
  );
  assert.equal(ok.body.errorCode, ErrorCode.NONE);
  c.close();
});

test("ApiVersions v3+ report the feature table: v3 leaves out features that start at 0", async () => {
  const c = await WireClient.connect(b.port);
  const names = (fs: readonly { name: string }[]) => fs.map((f) => f.name);
  const v2 = await c.request(ApiVersionsApi, 2, request(2));
  assert.deepEqual([v2.body.supportedFeatures, v2.body.finalizedFeaturesEpoch], [[], -1n]);
  for (const v of [3, 4, 5]) {
    const r = await c.request(ApiVersionsApi, v, request(v));
    const rows = FEATURES.filter((f) => v >= 4 || f.min > 0);
    assert.deepEqual(
      r.body.supportedFeatures.map((f) => [f.name, f.minVersion, f.maxVersion]),
      rows.map((f) => [f.name, f.min, f.max]),
      `v${v}`,
    );
    assert.equal(r.body.finalizedFeaturesEpoch, b.broker.features.epoch);
    // Finalized at the implemented level; what is not implemented is not finalized.
    assert.deepEqual(names(r.body.finalizedFeatures), names(FEATURES.filter((f) => f.max > 0)));
    const tv = r.body.finalizedFeatures.find((f) => f.name === "transaction.version");
    assert.deepEqual([tv?.minVersionLevel, tv?.maxVersionLevel], [2, 2]);
    const gv = r.body.finalizedFeatures.find((f) => f.name === "group.version");
    assert.deepEqual([gv?.minVersionLevel, gv?.maxVersionLevel], [1, 1], "KIP-848 groups");
    assert.equal(
      r.body.finalizedFeatures.find((f) => f.name === "streams.version"),
      undefined,
      "streams.version 0 is not finalized",
    );
  }
  c.close();
});

test("ApiVersions v5: REBOOTSTRAP_REQUIRED when the client expects another cluster or node", async () => {
  const c = await WireClient.connect(b.port);
  const ask = async (clusterId: string | null, nodeId: number) =>
    (
      await c.request(
        ApiVersionsApi,
        5,
        createApiVersionsRequest({
          clientSoftwareName: "logbook-test",
          clientSoftwareVersion: "1.0.0",
          clusterId,
          nodeId,
        }),
      )
    ).body.errorCode;
  const { clusterId } = b.broker.topics;
  const nodeId = b.broker.config.nodeId;
  assert.equal(await ask(clusterId, nodeId), ErrorCode.NONE);
  assert.equal(await ask(null, -1), ErrorCode.NONE);
  assert.equal(await ask("another-cluster", nodeId), ErrorCode.REBOOTSTRAP_REQUIRED);
  assert.equal(await ask(clusterId, nodeId + 1), ErrorCode.REBOOTSTRAP_REQUIRED);
  // Only one of the two given: nothing to check against.
  assert.equal(await ask("another-cluster", -1), ErrorCode.NONE);
  c.close();
});
