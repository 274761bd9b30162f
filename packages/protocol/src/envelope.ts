import type { ApiCodec } from "./api-codec.js";
import {
  createRequestHeader,
  createResponseHeader,
  decodeRequestHeader,
  decodeResponseHeader,
  encodeRequestHeader,
  encodeResponseHeader,
  type RequestHeader,
  type ResponseHeader,
  sizeRequestHeader,
  sizeResponseHeader,
} from "./generated/headers.js";
import { DecodeError } from "./primitives/errors.js";
import { Reader } from "./primitives/reader.js";
import { Writer } from "./primitives/writer.js";

/**
 * Whole frames: the 4-byte size prefix, the header version the API prescribes for the
 * message version, and the body. Used by the broker and by tests acting as a client.
 */

export interface DecodedRequest<T> {
  header: RequestHeader;
  body: T;
}

export interface DecodedResponse<T> {
  header: ResponseHeader;
  body: T;
}

export function encodeRequestFrame<Req>(
  api: ApiCodec<Req, unknown>,
  version: number,
  header: { correlationId: number; clientId: string | null },
  body: Req,
): Buffer {
  const hv = api.requestHeaderVersion(version);
  const h = createRequestHeader({
    requestApiKey: api.apiKey,
    requestApiVersion: version,
    correlationId: header.correlationId,
    clientId: header.clientId,
  });
  const size = sizeRequestHeader(h, hv) + api.request.size(body, version);
  const w = Writer.alloc(4 + size);
  w.int32(size);
  encodeRequestHeader(w, h, hv);
  api.request.encode(w, body, version);
  return w.result();
}

/**
 * Decodes a request frame body (without its size prefix). Every byte must be used
 * unless `ignoreTrailingBytes`: a broker reads what the schema defines and ignores the
 * rest, as Kafka does (librdkafka 2.15 sends Metadata v12 with 3 bytes to spare);
 * `trailingBytes` says how many there were.
 */
export function decodeRequestFrame<Req>(
  api: ApiCodec<Req, unknown>,
  frame: Buffer,
  opts: { ignoreTrailingBytes?: boolean } = {},
): DecodedRequest<Req> & { trailingBytes: number } {
  const r = new Reader(frame);
  const version = frame.length >= 4 ? frame.readInt16BE(2) : -1;
  const header = decodeRequestHeader(r, api.requestHeaderVersion(version));
  const body = api.request.decode(r, header.requestApiVersion);
  if (opts.ignoreTrailingBytes !== true) expectEnd(r);
  return { header, body, trailingBytes: r.remaining() };
}

export function encodeResponseFrame<Res>(
  api: ApiCodec<unknown, Res>,
  version: number,
  correlationId: number,
  body: Res,
): Buffer {
  const hv = api.responseHeaderVersion(version);
  const h = createResponseHeader({ correlationId });
  const size = sizeResponseHeader(h, hv) + api.response.size(body, version);
  const w = Writer.alloc(4 + size);
  w.int32(size);
  encodeResponseHeader(w, h, hv);
  api.response.encode(w, body, version);
  return w.result();
}

/** Decodes a response frame body (without its size prefix); every byte must be used. */
export function decodeResponseFrame<Res>(
  api: ApiCodec<unknown, Res>,
  version: number,
  frame: Buffer,
): DecodedResponse<Res> {
  const r = new Reader(frame);
  const header = decodeResponseHeader(r, api.responseHeaderVersion(version));
  const body = api.response.decode(r, version);
  expectEnd(r);
  return { header, body };
}

function expectEnd(r: Reader): void {
  if (r.remaining() !== 0) {
    throw new DecodeError("trailing-bytes", `${r.remaining()} bytes left after the message`, r.pos);
  }
}
