/** Frames with headers, checked against the worked examples in the wire-format notes. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ApiVersionsApi,
  createApiVersionsRequest,
  createApiVersionsResponse,
  createApiVersionsResponseApiVersion,
  DecodeError,
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  FetchApi,
  ProduceApi,
} from "../src/index.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/[\s|]/g, ""), "hex");

test("ApiVersions v0 request, correlation 1, client id t", () => {
  const frame = encodeRequestFrame(
    ApiVersionsApi,
    0,
    { correlationId: 1, clientId: "t" },
    createApiVersionsRequest(),
  );
  assert.deepEqual(frame, hex("0000000b 0012 0000 00000001 000174"));
  const back = decodeRequestFrame(ApiVersionsApi, frame.subarray(4));
  assert.equal(back.header.requestApiKey, 18);
  assert.equal(back.header.correlationId, 1);
  assert.equal(back.header.clientId, "t");
});

test("ApiVersions v3 request uses header v2 with an INT16 client id", () => {
  const bytes = hex("00000011 | 0012 0003 00000001 0001 74 00 | 02 61 02 31 00");
  const { header, body } = decodeRequestFrame(ApiVersionsApi, bytes.subarray(4));
  assert.equal(header.requestApiVersion, 3);
  assert.equal(header.clientId, "t");
  assert.equal(body.clientSoftwareName, "a");
  assert.equal(body.clientSoftwareVersion, "1");
  const again = encodeRequestFrame(ApiVersionsApi, 3, { correlationId: 1, clientId: "t" }, body);
  assert.deepEqual(again, bytes);
});

test("ApiVersions v3 response keeps response header v0", () => {
  const body = createApiVersionsResponse({
    apiKeys: [createApiVersionsResponseApiVersion({ apiKey: 18, minVersion: 0, maxVersion: 3 })],
  });
  const frame = encodeResponseFrame(ApiVersionsApi, 3, 1, body);
  assert.deepEqual(
    frame,
    hex("00000013 | 00000001 | 0000 | 02 | 0012 0000 0003 00 | 00000000 | 00"),
  );
  assert.equal(
    decodeResponseFrame(ApiVersionsApi, 3, frame.subarray(4)).body.apiKeys[0]?.maxVersion,
    3,
  );
});

test("UNSUPPORTED_VERSION reply in the v0 layout", () => {
  const body = createApiVersionsResponse({
    errorCode: 35,
    apiKeys: [createApiVersionsResponseApiVersion({ apiKey: 18, minVersion: 0, maxVersion: 4 })],
  });
  const frame = encodeResponseFrame(ApiVersionsApi, 0, 7, body);
  assert.deepEqual(frame, hex("00000010 | 00000007 | 0023 | 00000001 | 0012 0000 0004"));
});

test("flexible APIs use request header v2 and response header v1 from their first flexible version", () => {
  assert.equal(ProduceApi.requestHeaderVersion(8), 1);
  assert.equal(ProduceApi.requestHeaderVersion(9), 2);
  assert.equal(ProduceApi.responseHeaderVersion(8), 0);
  assert.equal(ProduceApi.responseHeaderVersion(9), 1);
  assert.equal(FetchApi.firstFlexibleVersion, 12);
  assert.equal(ApiVersionsApi.responseHeaderVersion(4), 0);
  assert.equal(ApiVersionsApi.requestHeaderVersion(3), 2);
});

test("trailing bytes after a message are a decode error", () => {
  const frame = encodeRequestFrame(
    ApiVersionsApi,
    0,
    { correlationId: 1, clientId: "t" },
    createApiVersionsRequest(),
  );
  const padded = Buffer.concat([frame.subarray(4), Buffer.from([0])]);
  assert.throws(() => decodeRequestFrame(ApiVersionsApi, padded), DecodeError);
});
