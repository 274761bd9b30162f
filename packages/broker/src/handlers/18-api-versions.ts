/**
 * ApiVersions (key 18), v0-v5.
 *
 * Lists exactly the registered handlers' ranges (the registry drives both). v3+ bodies
 * carry the client's software name and version, which must match Kafka's pattern or the
 * answer is INVALID_REQUEST (librdkafka then retries with v0). A version above ours is
 * answered by the dispatcher in the v0 layout with UNSUPPORTED_VERSION (KIP-511); the
 * response header is always v0 (the codec knows).
 *
 * v3+ report the feature flags of features.ts (KIP-584): every supported feature (v3
 * leaves out those whose lowest level is 0: v3 clients could not parse them,
 * KAFKA-17011), the finalized levels and their epoch. v5 (KIP-1242) carries the cluster
 * id and node id the client expects; when both are given and either differs from
 * ours, REBOOTSTRAP_REQUIRED tells the client to go back to its bootstrap servers.
 */
import {
  ApiVersionsApi,
  type ApiVersionsResponse,
  createApiVersionsResponse,
  createApiVersionsResponseApiVersion,
  createApiVersionsResponseFinalizedFeatureKey,
  createApiVersionsResponseSupportedFeatureKey,
  ErrorCode,
} from "@logbook/protocol";
import type { FeatureLevels } from "../features.js";
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

/** The three feature fields of a v3+ response. */
function features(
  levels: FeatureLevels,
  version: number,
): Pick<ApiVersionsResponse, "supportedFeatures" | "finalizedFeaturesEpoch" | "finalizedFeatures"> {
  return {
    supportedFeatures: levels.rows
      .filter((r) => version >= 4 || r.min > 0)
      .map((r) =>
        createApiVersionsResponseSupportedFeatureKey({
          name: r.name,
          minVersion: r.min,
          maxVersion: r.max,
        }),
      ),
    finalizedFeaturesEpoch: levels.epoch,
    finalizedFeatures: levels.finalized().map((f) =>
      createApiVersionsResponseFinalizedFeatureKey({
        name: f.name,
        minVersionLevel: f.level,
        maxVersionLevel: f.level,
      }),
    ),
  };
}

export const apiVersionsHandler = defineHandler({
  api: ApiVersionsApi,
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    const { broker, version } = ctx;
    if (
      version >= 3 &&
      !(SOFTWARE.test(req.clientSoftwareName) && SOFTWARE.test(req.clientSoftwareVersion))
    ) {
      return createApiVersionsResponse({ errorCode: ErrorCode.INVALID_REQUEST });
    }
    if (
      version >= 5 &&
      req.clusterId !== null &&
      req.nodeId >= 0 &&
      (req.clusterId !== broker.topics.clusterId || req.nodeId !== broker.config.nodeId)
    ) {
      return createApiVersionsResponse({ errorCode: ErrorCode.REBOOTSTRAP_REQUIRED });
    }
    return createApiVersionsResponse({
      errorCode: ErrorCode.NONE,
      apiKeys: advertised(broker),
      ...(version >= 3 ? features(broker.features, version) : {}),
    });
  },
});
