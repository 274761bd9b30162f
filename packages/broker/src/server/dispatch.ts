import {
  ApiVersionsApi,
  DecodeError,
  decodeRequestFrame,
  encodeResponseFrame,
  FetchApi,
  type FetchResponse,
  peekRequestHeader,
} from "@logbook/protocol";
import { type Logger, monotonicMs, StorageUnavailableError } from "@logbook/storage";
import { CloseConnection, type Handler, NO_RESPONSE } from "../handler.js";
import { unsupportedApiVersionsResponse } from "../handlers/18-api-versions.js";
import { throttleAfter, withThrottle } from "../quotas/request-throttle.js";
import type { HandlerRegistry } from "../registry.js";
import type { BrokerServices } from "../services.js";
import type { ClientSession } from "./client-session.js";
import { failedRequestResponse } from "./failed-request.js";
import { encodeResponseParts, fetchRecordBuffers, type ResponseFrame } from "./response-frame.js";

/** The connection must be closed: the request cannot be answered in its own schema. */
export class ProtocolViolation extends CloseConnection {
  override readonly name = "ProtocolViolation";
}

/** What the dispatcher needs beyond what it hands to handlers. */
export interface DispatchTarget extends BrokerServices {
  readonly registry: HandlerRegistry;
  /** Log raw request bytes when a request does not decode (LOGBOOK_DEBUG_FRAMES=1). */
  readonly debugFrames: boolean;
}

/**
 * Decodes one request frame, runs its handler and encodes the response frame (or null
 * when the protocol sends none); a Fetch response comes as parts that leave the fetched
 * record batches uncopied. Throws ProtocolViolation when the connection has to
 * be closed: unknown API key, a version outside the advertised range (except
 * ApiVersions, which answers UNSUPPORTED_VERSION), or a body that does not decode.
 * Bytes after a complete body are ignored, as Kafka ignores them.
 *
 * The failure policy (handler.ts): whatever else a handler throws is logged with its
 * stack and answered with the API's error response (UNKNOWN_SERVER_ERROR, or
 * KAFKA_STORAGE_ERROR when the storage was out of reach); the connection stays open.
 * Only a CloseConnection closes it.
 */
export async function dispatch(
  frame: Buffer,
  broker: DispatchTarget,
  session: ClientSession,
  logger: Logger,
): Promise<ResponseFrame | null> {
  const peer = session.peer;
  if (broker.sasl.expectsRawToken(session)) return rawSaslToken(frame, broker, session);
  const peek = peekRequestHeader(frame);
  if (!peek.ok) throw new ProtocolViolation(`request of ${frame.length} bytes has no header`);
  const { apiKey, apiVersion, correlationId } = peek.header;
  const handler = broker.registry.get(apiKey);
  if (handler === undefined) throw new ProtocolViolation(`unknown API key ${apiKey}`);
  // As Kafka: on a SASL listener only ApiVersions and SASL before authentication, and a
  // session past connections.max.reauth.ms is closed at its next request.
  const admission = broker.sasl.admit(session, apiKey);
  if (admission !== "serve")
    throw new ProtocolViolation(
      admission === "expired"
        ? `${handler.api.name}: the SASL session expired (connections.max.reauth.ms)`
        : `${handler.api.name} before SASL authentication`,
    );
  if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
    if (apiKey === ApiVersionsApi.apiKey && apiVersion > handler.maxVersion) {
      // KIP-511: answer in the v0 layout, whatever the client asked for.
      return encodeResponseFrame(
        ApiVersionsApi,
        0,
        correlationId,
        unsupportedApiVersionsResponse(broker),
      );
    }
    throw new ProtocolViolation(
      `${handler.api.name} v${apiVersion} is outside ${handler.minVersion}-${handler.maxVersion}`,
    );
  }
  let decoded: ReturnType<typeof decodeRequestFrame<unknown>>;
  try {
    decoded = decodeRequestFrame(handler.api, frame, { ignoreTrailingBytes: true });
  } catch (e) {
    if (e instanceof DecodeError) {
      if (broker.debugFrames)
        logger.debug("undecodable request", {
          api: handler.api.name,
          version: apiVersion,
          frame: frame.toString("hex"),
        });
      throw new ProtocolViolation(`${handler.api.name} v${apiVersion}: ${e.message}`);
    }
    throw e;
  }
  if (decoded.trailingBytes > 0 && broker.debugFrames) {
    logger.debug("bytes after the request ignored", {
      api: handler.api.name,
      version: apiVersion,
      bytes: decoded.trailingBytes,
    });
  }
  // One line per request at debug level: which APIs and versions a client uses.
  logger.debug("request", { api: handler.api.name, version: apiVersion, peer });
  // Encoding is inside: a response that does not fit its own schema is a handler bug too.
  try {
    const started = monotonicMs();
    const response = await handler.handle(decoded.body, {
      header: decoded.header,
      version: apiVersion,
      broker,
      peer,
      session,
    });
    const handlerMs = monotonicMs() - started;
    broker.metrics?.request(handler.api.name, handlerMs / 1000);
    const out =
      response === NO_RESPONSE
        ? null
        : encodeResponse(handler, apiVersion, correlationId, response);
    // Quotas (quotas/request-throttle.ts): a throttled answer says so and is re-encoded.
    const throttleMs = throttleAfter(broker.quotas.manager, session, {
      apiKey,
      clientId: decoded.header.clientId,
      requestBytes: frame.length,
      responseBytes: out === null ? null : frameBytes(out),
      handlerMs,
    });
    if (throttleMs > 0 && out !== null && withThrottle(response, throttleMs))
      return encodeResponse(handler, apiVersion, correlationId, response);
    return out;
  } catch (e) {
    if (e instanceof CloseConnection) throw e;
    const api = handler.api.name;
    const clientId = decoded.header.clientId;
    const where = { api, version: apiVersion, correlationId, clientId, peer };
    // Storage out of reach is an outage to ride out (the client retries), not a bug.
    if (e instanceof StorageUnavailableError)
      logger.warn("storage unavailable; answered KAFKA_STORAGE_ERROR", {
        ...where,
        error: e.message,
      });
    else logger.error("handler failed", where, e);
    const answer = failedRequestResponse(handler.api, decoded.body, e);
    if (answer === null) throw new CloseConnection(`${api} failed and expects no response`);
    return encodeResponseFrame(handler.api, apiVersion, correlationId, answer);
  }
}

/** A bare SASL token after a v0 SaslHandshake: answered bare, or the connection closed. */
async function rawSaslToken(
  frame: Buffer,
  broker: DispatchTarget,
  session: ClientSession,
): Promise<ResponseFrame> {
  const reply = await broker.sasl.rawToken(session, frame);
  if (reply === null) throw new CloseConnection("SASL authentication failed");
  const out = Buffer.allocUnsafe(4 + reply.length);
  out.writeInt32BE(reply.length, 0);
  reply.copy(out, 4);
  return out;
}

function frameBytes(frame: ResponseFrame): number {
  if (Buffer.isBuffer(frame)) return frame.length;
  let n = 0;
  for (const part of frame) n += part.length;
  return n;
}

function encodeResponse(
  handler: Handler,
  apiVersion: number,
  correlationId: number,
  response: unknown,
): ResponseFrame {
  if (handler.api.apiKey === FetchApi.apiKey) {
    const fetched = response as FetchResponse;
    return encodeResponseParts(
      FetchApi,
      apiVersion,
      correlationId,
      fetched,
      fetchRecordBuffers(fetched),
    );
  }
  return encodeResponseFrame(handler.api, apiVersion, correlationId, response);
}
