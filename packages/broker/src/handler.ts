import type { ApiCodec, RequestHeader } from "@logbook/protocol";
import type { Broker } from "./broker.js";

/** Returned by a handler when the protocol sends no response (Produce with acks=0). */
export const NO_RESPONSE: unique symbol = Symbol("no response");
export type NoResponse = typeof NO_RESPONSE;

export interface RequestContext {
  header: RequestHeader;
  /** The request's API version (same as header.requestApiVersion). */
  version: number;
  broker: Broker;
  /** Remote address, for logs. */
  peer: string;
}

/**
 * One API's implementation. `minVersion`..`maxVersion` is what the broker advertises in
 * ApiVersions; versions inside it that the handler refuses (e.g. Produce v0-v2) are
 * answered by the handler with UNSUPPORTED_VERSION in the response's error fields.
 */
export interface Handler<Req = unknown, Res = unknown> {
  readonly api: ApiCodec<Req, Res>;
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(request: Req, ctx: RequestContext): Promise<Res | NoResponse> | Res | NoResponse;
}

/** Erases a handler's message types so handlers of every API can share one registry. */
export function defineHandler<Req, Res>(h: Handler<Req, Res>): Handler {
  return h as unknown as Handler;
}
