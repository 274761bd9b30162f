import type { Reader } from "./primitives/reader.js";
import type { Writer } from "./primitives/writer.js";

/** Encode, decode, size and construct one message type; the version is a parameter. */
export interface MessageCodec<T> {
  create(init?: Partial<T>): T;
  encode(w: Writer, value: T, version: number): void;
  decode(r: Reader, version: number): T;
  size(value: T, version: number): number;
}

/** Everything generated for one API key: its version range, headers and both messages. */
export interface ApiCodec<Req, Res> {
  readonly apiKey: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** First version with the flexible (KIP-482) encoding, or null when none is. */
  readonly firstFlexibleVersion: number | null;
  requestHeaderVersion(version: number): number;
  responseHeaderVersion(version: number): number;
  readonly request: MessageCodec<Req>;
  readonly response: MessageCodec<Res>;
  /** The response to a request that failed as a whole: `errorCode` in every error field. */
  errorResponse(request: Req, errorCode: number): Res;
}
