import type { ApiCodec, RequestHeader } from "@logbook/protocol";
import type { ClientSession } from "./server/client-session.js";
import type { BrokerServices } from "./services.js";

/** Returned by a handler when the protocol sends no response (Produce with acks=0). */
export const NO_RESPONSE: unique symbol = Symbol("no response");
export type NoResponse = typeof NO_RESPONSE;

export interface RequestContext {
  header: RequestHeader;
  /** The request's API version (same as header.requestApiVersion). */
  version: number;
  /** The broker's parts a handler may use (not the Broker itself). */
  broker: BrokerServices;
  /** Remote address, for logs (same as session.peer). */
  peer: string;
  /** The connection's listener, security protocol and principal. */
  session: ClientSession;
}

/**
 * One API's implementation. `minVersion`..`maxVersion` is what the broker advertises in
 * ApiVersions; versions inside it that the handler refuses (e.g. Produce v0-v2) are
 * answered by the handler with UNSUPPORTED_VERSION in the response's error fields.
 *
 * Failures, the one policy (server/dispatch.ts), as Kafka's KafkaApis.handle:
 * - An expected, typed outcome of the business (unknown topic, fenced producer, a
 *   typed error a store throws for one partition) is the handler's to answer: it
 *   becomes that item's Kafka error code in the response, and only that item fails.
 *   A handler catches only such typed errors, by type, as Kafka's ReplicaManager maps
 *   its typed exceptions per partition.
 * - Anything else is a bug or an unforeseen failure: the handler lets it throw. The
 *   dispatcher logs it with its stack and answers the API's error response
 *   (UNKNOWN_SERVER_ERROR in every error field, per requested item); the connection
 *   stays open. So no handler has a catch-all, with one exception: Produce isolates
 *   each partition (as Kafka's ReplicaManager does), because answering a partition
 *   already written with an error would make the producer write it again.
 * - CloseConnection (ProtocolViolation is one) closes the connection: for a request
 *   that cannot be answered in its own schema, or that expects no answer but failed.
 */
export interface Handler<Req = unknown, Res = unknown> {
  readonly api: ApiCodec<Req, Res>;
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(request: Req, ctx: RequestContext): Promise<Res | NoResponse> | Res | NoResponse;
}

/**
 * Thrown to close the client's connection instead of answering: the only signal left
 * when a request cannot be answered (acks=0 Produce that failed) or read.
 */
export class CloseConnection extends Error {
  override readonly name: string = "CloseConnection";
}

/** Erases a handler's message types so handlers of every API can share one registry. */
export function defineHandler<Req, Res>(h: Handler<Req, Res>): Handler {
  return h as unknown as Handler;
}
