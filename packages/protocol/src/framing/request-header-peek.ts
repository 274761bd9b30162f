import { DecodeError } from "../primitives/errors.js";

/** The fixed start of every request header (v0, v1 and v2 alike). */
export interface PeekedRequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
}

export type RequestHeaderPeek =
  | { readonly ok: true; readonly header: PeekedRequestHeader }
  | { readonly ok: false; readonly error: DecodeError };

const FIXED_HEADER_BYTES = 8;

/**
 * Reads api key, api version and correlation id from a frame body without decoding the
 * rest, so a broker can route the request, or answer UNSUPPORTED_VERSION, before it
 * knows the request's schema. A frame shorter than 8 bytes cannot be answered at all.
 */
export function peekRequestHeader(frame: Uint8Array): RequestHeaderPeek {
  if (frame.length < FIXED_HEADER_BYTES) {
    return {
      ok: false,
      error: new DecodeError(
        "truncated",
        `request header needs ${FIXED_HEADER_BYTES} bytes, frame has ${frame.length}`,
        0,
      ),
    };
  }
  const view = new DataView(frame.buffer, frame.byteOffset, FIXED_HEADER_BYTES);
  return {
    ok: true,
    header: {
      apiKey: view.getInt16(0),
      apiVersion: view.getInt16(2),
      correlationId: view.getInt32(4),
    },
  };
}
