/**
 * share.version as Kafka 4.4.0 has it: supported 0-2, finalized at 2, no dependency on
 * another feature; UpdateFeatures takes it down to 1 and back up. ShareFetch v2 goes by
 * the request version, not the level: at level 1 its checks (KIP-1206/1222) still apply.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ApiVersionsApi,
  createApiVersionsRequest,
  createUpdateFeaturesRequest,
  createUpdateFeaturesRequestFeatureUpdateKey,
  ErrorCode,
  ShareFetchApi,
  UpdateFeaturesApi,
} from "@logbook/protocol";
import { UpgradeType } from "../src/features.js";
import { startTestBroker, type TestBroker } from "./helpers/admin-broker.js";
import { shareFetch } from "./helpers/share-fakes.js";

const software = { clientSoftwareName: "logbook-test", clientSoftwareVersion: "1.0.0" };

async function shareVersion(b: TestBroker) {
  const r = await b.client.send(ApiVersionsApi, 4, createApiVersionsRequest(software));
  const supported = r.supportedFeatures.find((f) => f.name === "share.version");
  const finalized = r.finalizedFeatures.find((f) => f.name === "share.version");
  return {
    supported: [supported?.minVersion, supported?.maxVersion],
    finalized: finalized?.maxVersionLevel,
  };
}

const setShareVersion = (b: TestBroker, level: number, upgradeType: number) =>
  b.client.send(
    UpdateFeaturesApi,
    1,
    createUpdateFeaturesRequest({
      featureUpdates: [
        createUpdateFeaturesRequestFeatureUpdateKey({
          feature: "share.version",
          maxVersionLevel: level,
          upgradeType,
        }),
      ],
    }),
  );

test("share.version: supported 0-2 and finalized at 2; down to 1 and back to 2, never 3", async () => {
  const b = await startTestBroker();
  try {
    assert.deepEqual(await shareVersion(b), { supported: [0, 2], finalized: 2 });
    const down = await setShareVersion(b, 1, UpgradeType.SAFE_DOWNGRADE);
    assert.equal(down.errorCode, ErrorCode.NONE);
    assert.deepEqual(await shareVersion(b), { supported: [0, 2], finalized: 1 });

    // Level 1 still serves ShareFetch v2 with its own checks (Kafka gates none of it).
    const renewAsking = shareFetch("g", "AAAAAAAAAAAAAAAAAAAAAQ", 0, [], {
      isRenewAck: true,
      maxRecords: 5,
    });
    const r = await b.client.send(ShareFetchApi, 2, renewAsking);
    assert.equal(r.errorCode, ErrorCode.INVALID_REQUEST);

    const up = await setShareVersion(b, 2, UpgradeType.UPGRADE);
    assert.equal(up.errorCode, ErrorCode.NONE);
    assert.deepEqual(await shareVersion(b), { supported: [0, 2], finalized: 2 });
    const beyond = await setShareVersion(b, 3, UpgradeType.UPGRADE);
    assert.equal(beyond.errorCode, ErrorCode.INVALID_UPDATE_VERSION);
  } finally {
    await b.stop();
  }
});
