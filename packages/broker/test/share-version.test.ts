/**
 * share.version as Kafka 4.4.0 has it: supported 0-2, finalized at 2, no dependency on
 * another feature; UpdateFeatures takes it down to 1 and back up. ShareFetch v2 goes by
 * the request version, not the level: at level 1 its checks (KIP-1206/1222) still apply.
 * At level 0 share groups are off: their APIs answer UNSUPPORTED_VERSION, as Kafka's.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AlterShareGroupOffsetsApi,
  ApiVersionsApi,
  createAlterShareGroupOffsetsRequest,
  createApiVersionsRequest,
  createDeleteShareGroupOffsetsRequest,
  createDescribeShareGroupOffsetsRequest,
  createShareAcknowledgeRequest,
  createShareGroupDescribeRequest,
  createShareGroupHeartbeatRequest,
  createUpdateFeaturesRequest,
  createUpdateFeaturesRequestFeatureUpdateKey,
  DeleteShareGroupOffsetsApi,
  DescribeShareGroupOffsetsApi,
  ErrorCode,
  ShareAcknowledgeApi,
  ShareFetchApi,
  ShareGroupDescribeApi,
  ShareGroupHeartbeatApi,
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

test("share.version 0: every share-group API answers UNSUPPORTED_VERSION until it is raised again", async () => {
  const b = await startTestBroker();
  const member = "AAAAAAAAAAAAAAAAAAAAAQ";
  const heartbeat = () =>
    b.client.send(
      ShareGroupHeartbeatApi,
      1,
      createShareGroupHeartbeatRequest({
        groupId: "off",
        memberId: member,
        memberEpoch: 0,
        subscribedTopicNames: ["t"],
      }),
    );
  try {
    const off = await setShareVersion(b, 0, UpgradeType.SAFE_DOWNGRADE);
    assert.equal(off.errorCode, ErrorCode.NONE);
    assert.deepEqual(await shareVersion(b), { supported: [0, 2], finalized: undefined });
    const unsupported = ErrorCode.UNSUPPORTED_VERSION;
    assert.equal((await heartbeat()).errorCode, unsupported);
    const described = await b.client.send(
      ShareGroupDescribeApi,
      1,
      createShareGroupDescribeRequest({ groupIds: ["off"] }),
    );
    assert.deepEqual(
      described.groups.map((g) => g.errorCode),
      [unsupported],
    );
    const fetched = await b.client.send(ShareFetchApi, 1, shareFetch("off", member, 0, []));
    assert.equal(fetched.errorCode, unsupported);
    const acked = await b.client.send(
      ShareAcknowledgeApi,
      1,
      createShareAcknowledgeRequest({ groupId: "off", memberId: member, shareSessionEpoch: 1 }),
    );
    assert.equal(acked.errorCode, unsupported);
    const offsets = await b.client.send(
      DescribeShareGroupOffsetsApi,
      0,
      createDescribeShareGroupOffsetsRequest({ groups: [{ groupId: "off", topics: null }] }),
    );
    assert.deepEqual(
      offsets.groups.map((g) => g.errorCode),
      [unsupported],
    );
    const altered = await b.client.send(
      AlterShareGroupOffsetsApi,
      0,
      createAlterShareGroupOffsetsRequest({ groupId: "off", topics: [] }),
    );
    assert.equal(altered.errorCode, unsupported);
    const deleted = await b.client.send(
      DeleteShareGroupOffsetsApi,
      0,
      createDeleteShareGroupOffsetsRequest({ groupId: "off", topics: [] }),
    );
    assert.equal(deleted.errorCode, unsupported);

    assert.equal((await setShareVersion(b, 2, UpgradeType.UPGRADE)).errorCode, ErrorCode.NONE);
    assert.equal((await heartbeat()).errorCode, ErrorCode.NONE);
  } finally {
    await b.stop();
  }
});
