/**
 * The one place the dispatcher asks about quotas after a request: it records the
 * request's bytes (Produce: the request's size), the response's bytes (Fetch) and the
 * handler's time against the client's quotas, and returns how long the client must
 * wait. A throttled response carries the time in throttle_time_ms, and the session is
 * muted for it (the connection stops reading, KIP-219).
 */
import {
  ApiVersionsApi,
  FetchApi,
  ProduceApi,
  SaslAuthenticateApi,
  SaslHandshakeApi,
} from "@logbook/protocol";
import type { ClientSession } from "../server/client-session.js";
import {
  type ClientQuotaManager,
  CONSUMER_BYTE_RATE,
  handlerPercent,
  PRODUCER_BYTE_RATE,
  REQUEST_PERCENTAGE,
} from "./quota-manager.js";

/** Not counted against request_percentage, as Kafka exempts them (a client must be able to connect). */
const EXEMPT = new Set([
  ApiVersionsApi.apiKey,
  SaslHandshakeApi.apiKey,
  SaslAuthenticateApi.apiKey,
]);

export interface ServedRequest {
  readonly apiKey: number;
  readonly clientId: string | null;
  readonly requestBytes: number;
  /** The encoded response's size (null when none is sent). */
  readonly responseBytes: number | null;
  readonly handlerMs: number;
}

export function throttleAfter(
  manager: ClientQuotaManager,
  session: ClientSession,
  r: ServedRequest,
): number {
  const user = session.principal.name;
  const clientId = r.clientId ?? "";
  let ms = 0;
  if (r.apiKey === ProduceApi.apiKey)
    ms = manager.record(PRODUCER_BYTE_RATE, user, clientId, r.requestBytes);
  else if (r.apiKey === FetchApi.apiKey && r.responseBytes !== null)
    ms = manager.record(CONSUMER_BYTE_RATE, user, clientId, r.responseBytes);
  // As Kafka: a Produce with acks=0 (no answer) is exempt from request_percentage; only
  // its bytes can mute the connection.
  const unanswered = r.apiKey === ProduceApi.apiKey && r.responseBytes === null;
  if (!EXEMPT.has(r.apiKey) && !unanswered)
    ms = Math.max(
      ms,
      manager.record(REQUEST_PERCENTAGE, user, clientId, handlerPercent(r.handlerMs)),
    );
  muteFor(session, ms);
  return ms;
}

/** A throttled client: its connection reads nothing more for `ms` (KIP-219). */
export function muteFor(session: ClientSession, ms: number): void {
  if (ms > 0) session.mutedUntilMs = Math.max(session.mutedUntilMs ?? 0, Date.now() + ms);
}

/** Puts the throttle time into a response that has the field; false when it has none. */
export function withThrottle(response: unknown, ms: number): boolean {
  if (typeof response !== "object" || response === null || !("throttleTimeMs" in response))
    return false;
  const r = response as { throttleTimeMs: number };
  r.throttleTimeMs = Math.max(r.throttleTimeMs, ms);
  return true;
}
