/**
 * ApiVersions (key 18), v0-v4.
 *
 * Lists exactly the registered handlers' ranges (the registry drives both). v3+ bodies
 * carry the client's software name and version, which must match Kafka's pattern or the
 * answer is INVALID_REQUEST (librdkafka then retries with v0). A version above ours is
 * answered by the dispatcher in the v0 layout with UNSUPPORTED_VERSION (KIP-511); the
 * response header is always v0 (the codec knows). Simplified: no feature flags (the
 * tagged SupportedFeatures/FinalizedFeatures fields stay empty).
 */
import {
  ApiVersionsApi,
  type ApiVersionsResponse,
  createApiVersionsResponse,
  createApiVersionsResponseApiVersion,
  ErrorCode,
} from "@logbook/protocol";
import { defineHandler } from "../handler.js";
import type { BrokerServices } from "../services.js";

const SOFTWARE = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

function advertised(broker: BrokerServices): ApiVersionsResponse["apiKeys"] {
  return broker.registry.list().map((h) =>
    createApiVersionsResponseApiVersion({
      apiKey: h.api.apiKey,
      minVersion: h.minVersion,
      maxVersion: h.maxVersion,
    }),
  );
}

/** The v0-layout answer to a version we do not support: error 35 plus our ranges. */
export function unsupportedApiVersionsResponse(broker: BrokerServices): ApiVersionsResponse {
  return createApiVersionsResponse({
    errorCode: ErrorCode.UNSUPPORTED_VERSION,
    apiKeys: advertised(broker),
  });
}

export const apiVersionsHandler = defineHandler({
  api: ApiVersionsApi,
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    if (
      ctx.version >= 3 &&
      !(SOFTWARE.test(req.clientSoftwareName) && SOFTWARE.test(req.clientSoftwareVersion))
    ) {
      return createApiVersionsResponse({ errorCode: ErrorCode.INVALID_REQUEST });
    }
    return createApiVersionsResponse({
      errorCode: ErrorCode.NONE,
      apiKeys: advertised(ctx.broker),
    });
  },
});
