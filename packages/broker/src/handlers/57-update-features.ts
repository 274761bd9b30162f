/**
 * UpdateFeatures (key 57), v0-v2: changes finalized feature levels (features.ts), as a
 * single Kafka 4.4 node answers it. Kafka has no DescribeFeatures API: clients read the
 * levels from ApiVersions.
 *
 * All or nothing: the first update that fails Kafka's checks (an unknown feature, a
 * level outside the supported range, an upgrade type other than 1-3, a downgrade asked
 * for as an upgrade, any downgrade of metadata.version) answers INVALID_UPDATE_VERSION
 * with the reason and no per-feature results; otherwise every feature gets NONE (v0-v1
 * list them; v2 has the top-level error only). Level 0 removes a finalized feature.
 * validate_only (v1+) checks without changing anything. v0's allow_downgrade is the
 * safe downgrade type. Changes are appended to the metadata log before the answer and
 * bump FinalizedFeaturesEpoch. timeout_ms is unused (nothing to wait for). Simplified:
 * no dependency checks between features (Kafka's dependencies concern
 * features Logbook does not implement).
 * ACLs: ALTER on the cluster, else CLUSTER_AUTHORIZATION_FAILED.
 */
import {
  createUpdateFeaturesResponse,
  createUpdateFeaturesResponseUpdatableFeatureResult,
  ErrorCode,
  UpdateFeaturesApi,
} from "@logbook/protocol";
import { clusterAllowed, Op } from "../acl/check.js";
import { UpgradeType } from "../features.js";
import { defineHandler } from "../handler.js";

export const updateFeaturesHandler = defineHandler({
  api: UpdateFeaturesApi,
  minVersion: 0,
  maxVersion: 2,
  async handle(req, ctx) {
    if (!clusterAllowed(ctx, Op.ALTER))
      return createUpdateFeaturesResponse({
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: "Cluster authorization failed.",
      });
    const updates = req.featureUpdates.map((u) => ({
      feature: u.feature,
      level: u.maxVersionLevel,
      upgradeType:
        ctx.version >= 1
          ? u.upgradeType
          : u.allowDowngrade
            ? UpgradeType.SAFE_DOWNGRADE
            : UpgradeType.UPGRADE,
    }));
    const refused = await ctx.broker.features.update(updates, ctx.version >= 1 && req.validateOnly);
    if (refused !== null) {
      return createUpdateFeaturesResponse({
        errorCode: ErrorCode.INVALID_UPDATE_VERSION,
        errorMessage: `The update failed for all features since the following feature had an error: ${refused}`,
      });
    }
    return createUpdateFeaturesResponse({
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      results: req.featureUpdates.map((u) =>
        createUpdateFeaturesResponseUpdatableFeatureResult({
          feature: u.feature,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
        }),
      ),
    });
  },
});
