/**
 * Access to kafkajs 2.2.4's own protocol encoders and decoders, used as an outside truth
 * for the generated codecs. kafkajs is CommonJS without types for its internals, so
 * everything crossing the boundary is `unknown` narrowed through the minimal interfaces
 * below.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import {
  type ApiCodec,
  decodeRequestHeader,
  encodeRequestHeader,
  encodeResponseHeader,
  Reader,
  type RequestHeader,
  sizeRequestHeader,
  sizeResponseHeader,
  Writer,
} from "../../src/index.js";

const require = createRequire(import.meta.url);

/** kafkajs's `Encoder`: only the written bytes are used. */
export interface KjsEncoder {
  readonly buffer: Buffer;
  size(): number;
}

/** What `requests/<api>/v<N>/request.js` returns. */
export interface KjsRequest {
  apiKey: number;
  apiVersion: number;
  apiName: string;
  encode(): Promise<KjsEncoder>;
}

/** What `requests/<api>/v<N>/response.js` exports. */
export interface KjsResponse {
  decode(raw: Buffer): Promise<unknown>;
  parse(data: unknown): Promise<unknown>;
}

/** kafkajs's `Decoder`, as far as the consumption check needs it. */
interface KjsDecoder {
  buffer: Buffer;
  offset: number;
}

type KjsFunction = (...args: unknown[]) => unknown;

function isFunction(v: unknown): v is KjsFunction {
  return typeof v === "function";
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

/** Loads a module below kafkajs/src/protocol. */
export function kjsModule(path: string): unknown {
  return require(`kafkajs/src/protocol/${path}`) as unknown;
}

function kjsFunction(path: string): KjsFunction {
  const m = kjsModule(path);
  if (!isFunction(m)) throw new TypeError(`kafkajs ${path} does not export a function`);
  return m;
}

function asEncoder(v: unknown, what: string): KjsEncoder {
  if (!isObject(v) || !Buffer.isBuffer(v.buffer)) throw new TypeError(`${what} is not an Encoder`);
  return v as unknown as KjsEncoder;
}

/** kafkajs's request for `api` (its directory name) at `version`, built from `args`. */
export function kjsRequest(api: string, version: number, args?: unknown): KjsRequest {
  const req = kjsFunction(`requests/${api}/v${version}/request.js`)(args);
  if (!isObject(req) || !isFunction(req.encode)) {
    throw new TypeError(`kafkajs ${api} v${version} did not build a request`);
  }
  assert.equal(req.apiVersion, version, "kafkajs request module version");
  return req as unknown as KjsRequest;
}

/** The full frame kafkajs puts on the wire: size, header v1, body (src/protocol/request.js). */
export async function kjsRequestFrame(
  request: KjsRequest,
  correlationId: number,
  clientId: string,
): Promise<Buffer> {
  const frame = await kjsFunction("request.js")({ correlationId, clientId, request });
  return asEncoder(frame, "kafkajs request frame").buffer;
}

/** kafkajs's response decoder for `api` at `version`; DeleteRecords' module is a factory. */
export function kjsResponse(api: string, version: number, factoryArgs?: unknown): KjsResponse {
  let m = kjsModule(`requests/${api}/v${version}/response.js`);
  if (isFunction(m)) m = m(factoryArgs);
  if (!isObject(m) || !isFunction(m.decode) || !isFunction(m.parse)) {
    throw new TypeError(`kafkajs ${api} v${version} has no response decoder`);
  }
  return m as unknown as KjsResponse;
}

// kafkajs's decoders never check that they read the whole response, so the read methods
// of its Decoder are wrapped to record how far the top-level decoder got.
let tracked: Buffer | null = null;
let furthest = 0;
{
  const DecoderClass = kjsModule("decoder.js");
  if (!isFunction(DecoderClass)) throw new TypeError("kafkajs decoder.js is not a class");
  const proto = DecoderClass.prototype as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const original = proto[name];
    if (!/^(read|forward)/.test(name) || !isFunction(original)) continue;
    proto[name] = function tracking(this: KjsDecoder, ...args: unknown[]): unknown {
      const out = original.apply(this, args);
      if (tracked !== null && this.buffer === tracked && this.offset > furthest) {
        furthest = this.offset;
      }
      return out;
    };
  }
}

/**
 * Decodes a response body with kafkajs (`decode`, then `parse`), asserting that kafkajs
 * read every byte of it. Returns what `parse` returned.
 */
export async function kjsDecodeResponse(
  api: string,
  version: number,
  body: Buffer,
  factoryArgs?: unknown,
): Promise<Record<string, unknown>> {
  const { decode, parse } = kjsResponse(api, version, factoryArgs);
  tracked = body;
  furthest = 0;
  let decoded: unknown;
  try {
    decoded = await decode(body);
  } finally {
    tracked = null;
  }
  assert.equal(furthest, body.length, `kafkajs ${api} v${version} read the whole response body`);
  const parsed = await parse(decoded);
  if (!isObject(parsed)) throw new TypeError(`kafkajs ${api} v${version} parsed to a non-object`);
  return parsed;
}

/**
 * Decodes a kafkajs request frame with our header and request codecs, asserts that every
 * byte was consumed and that our encoder reproduces the frame byte for byte.
 */
export function decodeKjsFrame<Req>(
  api: ApiCodec<Req, unknown>,
  frame: Buffer,
): { header: RequestHeader; body: Req; headerVersion: number } {
  const r = new Reader(frame);
  const size = r.int32();
  assert.equal(size, frame.length - 4, "frame size prefix");
  const version = frame.readInt16BE(6);
  const headerVersion = api.requestHeaderVersion(version);
  const header = decodeRequestHeader(r, headerVersion);
  const body = api.request.decode(r, version);
  assert.equal(r.remaining(), 0, `${api.name} v${version}: every request byte consumed`);

  const headerSize = sizeRequestHeader(header, headerVersion);
  const bodySize = api.request.size(body, version);
  assert.equal(4 + headerSize + bodySize, frame.length, `${api.name} v${version}: size()`);
  const w = Writer.alloc(4 + headerSize + bodySize);
  w.int32(headerSize + bodySize);
  encodeRequestHeader(w, header, headerVersion);
  api.request.encode(w, body, version);
  assert.equal(w.pos, frame.length, `${api.name} v${version}: bytes written`);
  assert.equal(
    w.result().toString("hex"),
    frame.toString("hex"),
    `${api.name} v${version}: re-encoding is byte-identical`,
  );
  return { header, body, headerVersion };
}

export const CLIENT_ID = "golden-kafkajs";

/**
 * Builds a request with kafkajs, frames it as kafkajs does, decodes it with our codecs
 * (checking header fields, full consumption and byte-identical re-encoding) and returns
 * the decoded body.
 */
export async function viaKafkajs<Req>(
  api: ApiCodec<Req, unknown>,
  kjsApi: string,
  version: number,
  args?: unknown,
): Promise<Req> {
  const request = kjsRequest(kjsApi, version, args);
  assert.equal(request.apiKey, api.apiKey, `${kjsApi}: api key`);
  const correlationId = 0x1000 + api.apiKey * 32 + version;
  const frame = await kjsRequestFrame(request, correlationId, CLIENT_ID);
  const { header, body, headerVersion } = decodeKjsFrame(api, frame);
  // kafkajs only ever writes the non-flexible header v1.
  assert.equal(headerVersion, 1, `${api.name} v${version}: request header version`);
  assertFields(header, {
    requestApiKey: api.apiKey,
    requestApiVersion: version,
    correlationId,
    clientId: CLIENT_ID,
  });
  return body;
}

/** Encodes a response body with our encoder, checking size() against the bytes written. */
export function encodeResponseBody<Res>(
  api: ApiCodec<unknown, Res>,
  value: Res,
  version: number,
): Buffer {
  const size = api.response.size(value, version);
  const w = Writer.alloc(size);
  api.response.encode(w, value, version);
  assert.equal(w.pos, size, `${api.name} v${version}: response size()`);
  return w.result();
}

/**
 * Frames a response with our header and body encoders, then reads the frame back the way
 * kafkajs's connection does (size, correlation id, rest is the payload), decodes the
 * payload with kafkajs and returns what kafkajs's `parse` produced.
 */
export async function toKafkajs<Res>(
  api: ApiCodec<unknown, Res>,
  kjsApi: string,
  version: number,
  value: Res,
  factoryArgs?: unknown,
): Promise<Record<string, unknown>> {
  const headerVersion = api.responseHeaderVersion(version);
  // kafkajs reads the correlation id and hands everything after it to the body decoder.
  assert.equal(headerVersion, 0, `${api.name} v${version}: response header version`);
  const correlationId = 0x2000 + api.apiKey * 32 + version;
  const header = { correlationId };
  const body = encodeResponseBody(api, value, version);
  const headerSize = sizeResponseHeader(header, headerVersion);
  const w = Writer.alloc(4 + headerSize + body.length);
  w.int32(headerSize + body.length);
  encodeResponseHeader(w, header, headerVersion);
  w.raw(body);
  const frame = w.result();

  const size = frame.readInt32BE(0);
  assert.equal(size, frame.length - 4, "response size prefix");
  assert.equal(frame.readInt32BE(4), correlationId, "kafkajs sees the correlation id");
  const payload = frame.subarray(8);
  assert.equal(payload.toString("hex"), body.toString("hex"));
  return kjsDecodeResponse(kjsApi, version, payload, factoryArgs);
}

/**
 * Asserts that `actual` has every field of `expected` with an equal value, recursively:
 * arrays must have the same length, Buffers the same bytes, scalars be strictly equal
 * (so a bigint never equals a number). Fields absent from `expected` are not checked.
 */
export function assertFields(actual: unknown, expected: unknown, path = "$"): void {
  if (Buffer.isBuffer(expected)) {
    assert.ok(Buffer.isBuffer(actual), `${path}: expected a Buffer, got ${typeof actual}`);
    assert.equal(actual.toString("hex"), expected.toString("hex"), `${path}: bytes`);
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array, got ${String(actual)}`);
    assert.equal(actual.length, expected.length, `${path}.length`);
    expected.forEach((e: unknown, i: number) => {
      assertFields(actual[i], e, `${path}[${i}]`);
    });
    return;
  }
  if (isObject(expected)) {
    assert.ok(isObject(actual), `${path}: expected an object, got ${String(actual)}`);
    for (const [key, e] of Object.entries(expected)) {
      assert.ok(key in actual, `${path}.${key}: missing`);
      assertFields(actual[key], e, `${path}.${key}`);
    }
    return;
  }
  assert.equal(actual, expected, path);
}

/** Reads `obj[key]` of an unknown value, failing the test when it is not an object. */
export function field(obj: unknown, key: string): unknown {
  assert.ok(isObject(obj), `expected an object holding ${key}`);
  return obj[key];
}

/** Inclusive version range. */
export function versions(from: number, to: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v++) out.push(v);
  return out;
}

/** kafkajs's record-batch (magic 2) and message-set (magic 0/1) decoders. */
export async function kjsDecodeRecordBatch(buf: Buffer): Promise<Record<string, unknown>> {
  const Decoder = kjsModule("decoder.js");
  if (!isFunction(Decoder)) throw new TypeError("kafkajs Decoder");
  const decoder: unknown = Reflect.construct(Decoder, [buf]);
  const batch = await kjsFunction("recordBatch/v0/decoder.js")(decoder);
  assert.ok(isObject(batch), "kafkajs decoded a record batch");
  assert.equal((decoder as KjsDecoder).offset, buf.length, "record batch fills the records field");
  return batch;
}

export async function kjsDecodeMessageSet(buf: Buffer): Promise<unknown[]> {
  const Decoder = kjsModule("decoder.js");
  if (!isFunction(Decoder)) throw new TypeError("kafkajs Decoder");
  const decoder: unknown = Reflect.construct(Decoder, [buf]);
  const messages = await kjsFunction("messageSet/decoder.js")(decoder, buf.length);
  assert.ok(Array.isArray(messages), "kafkajs decoded a message set");
  assert.equal((decoder as KjsDecoder).offset, buf.length, "message set fills the records field");
  return messages;
}

/** Builds a magic-2 record batch with kafkajs's own encoder. */
export async function kjsRecordBatch(spec: {
  compression: number;
  firstOffset: bigint;
  firstTimestamp: number;
  producerId?: bigint;
  producerEpoch?: number;
  firstSequence?: number;
  transactional?: boolean;
  records: {
    key: string | null;
    value: string;
    timestampDelta: number;
    headers?: Record<string, string>;
  }[];
}): Promise<Buffer> {
  const Record = kjsFunction("recordBatch/record/v0/index.js");
  const batch = kjsModule("recordBatch/v0/index.js");
  assert.ok(isObject(batch) && isFunction(batch.RecordBatch));
  const records = spec.records.map((r, i) => Record({ ...r, offsetDelta: i }));
  const maxDelta = Math.max(...spec.records.map((r) => r.timestampDelta));
  const encoder = await batch.RecordBatch({
    compression: spec.compression,
    firstOffset: spec.firstOffset,
    firstTimestamp: spec.firstTimestamp,
    maxTimestamp: spec.firstTimestamp + maxDelta,
    lastOffsetDelta: records.length - 1,
    producerId: spec.producerId ?? -1n,
    producerEpoch: spec.producerEpoch ?? -1,
    firstSequence: spec.firstSequence ?? -1,
    transactional: spec.transactional ?? false,
    records,
  });
  return asEncoder(encoder, "kafkajs RecordBatch").buffer;
}

/** Builds a magic-0/1 message set with kafkajs's own encoder (uncompressed). */
export function kjsMessageSet(
  messageVersion: 0 | 1,
  entries: { key: string | null; value: string; timestamp?: number }[],
): Buffer {
  const encoder = kjsFunction("messageSet/index.js")({ messageVersion, entries });
  return asEncoder(encoder, "kafkajs MessageSet").buffer;
}

/** Compression type ids as kafkajs numbers them (src/protocol/message/compression). */
export const KjsCompression = { None: 0, GZIP: 1 } as const;

/** kafkajs's consumer-protocol encoders (src/consumer/assignerProtocol.js). */
function assignerProtocol(): { member: KjsFunction; assignment: KjsFunction } {
  const m = require("kafkajs/src/consumer/assignerProtocol.js") as unknown;
  assert.ok(isObject(m) && isObject(m.MemberMetadata) && isObject(m.MemberAssignment));
  const member = m.MemberMetadata.encode;
  const assignment = m.MemberAssignment.encode;
  assert.ok(isFunction(member) && isFunction(assignment));
  return { member, assignment };
}

/** Consumer-protocol subscription metadata, as kafkajs's consumer sends it in JoinGroup. */
export function kjsMemberMetadata(topics: string[], userData?: Buffer): Buffer {
  const out = assignerProtocol().member({ version: 1, topics, userData });
  assert.ok(Buffer.isBuffer(out));
  return out;
}

/** Consumer-protocol assignment, as kafkajs's group leader sends it in SyncGroup. */
export function kjsMemberAssignment(assignment: Record<string, number[]>): Buffer {
  const out = assignerProtocol().assignment({ version: 1, assignment });
  assert.ok(Buffer.isBuffer(out));
  return out;
}

/**
 * kafkajs reports the broker's throttle time as `throttleTime` up to the version where
 * brokers started throttling after responding (KIP-219), and as `clientSideThrottleTime`
 * (with `throttleTime: 0`) from `clientSideFrom` on.
 */
export function throttle(ms: number, clientSideFrom: number, v: number): Record<string, number> {
  return v >= clientSideFrom
    ? { throttleTime: 0, clientSideThrottleTime: ms }
    : { throttleTime: ms };
}

/** Epoch milliseconds used as the base timestamp in records and offsets. */
export const T0 = 1_700_000_000_000;
/** Above 2^53: an int64 that a float would round. */
export const BIG = 9_007_199_254_740_993n;
