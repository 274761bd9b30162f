/**
 * A group's own timeouts over the wire: consumer.heartbeat.interval.ms and
 * share.heartbeat.interval.ms set with IncrementalAlterConfigs are what
 * ConsumerGroupHeartbeat and ShareGroupHeartbeat answer that group's members; other
 * groups keep the broker's settings, and a later change reaches the next heartbeat.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ConsumerGroupHeartbeatApi,
  createConsumerGroupHeartbeatRequest,
  createIncrementalAlterConfigsRequest,
  createIncrementalAlterConfigsRequestAlterableConfig,
  createIncrementalAlterConfigsRequestResource,
  createShareGroupHeartbeatRequest,
  ErrorCode,
  IncrementalAlterConfigsApi,
  ShareGroupHeartbeatApi,
} from "@logbook/protocol";
import type { TestBroker } from "./helpers/admin-broker.js";
import { createTopic, startGroupBroker } from "./helpers/group-wire.js";

const GROUP = 32;
const SET = 0;

let b: TestBroker;
before(async () => {
  b = await startGroupBroker();
  await b.broker.shareGroups.ready;
  await createTopic(b, "t", 2);
});
after(async () => {
  await b?.stop();
});

async function setGroupConfig(group: string, name: string, value: string): Promise<void> {
  const r = await b.client.send(
    IncrementalAlterConfigsApi,
    1,
    createIncrementalAlterConfigsRequest({
      validateOnly: false,
      resources: [
        createIncrementalAlterConfigsRequestResource({
          resourceType: GROUP,
          resourceName: group,
          configs: [
            createIncrementalAlterConfigsRequestAlterableConfig({
              name,
              configOperation: SET,
              value,
            }),
          ],
        }),
      ],
    }),
  );
  assert.equal(r.responses[0]?.errorCode, ErrorCode.NONE, r.responses[0]?.errorMessage ?? "");
}

async function consumerHeartbeat(groupId: string, memberId: string, memberEpoch: number) {
  const r = await b.client.send(
    ConsumerGroupHeartbeatApi,
    1,
    createConsumerGroupHeartbeatRequest({
      groupId,
      memberId,
      memberEpoch,
      rebalanceTimeoutMs: memberEpoch === 0 ? 30_000 : -1,
      subscribedTopicNames: memberEpoch === 0 ? ["t"] : null,
      topicPartitions: memberEpoch === 0 ? [] : null,
    }),
  );
  assert.equal(r.errorCode, ErrorCode.NONE, r.errorMessage ?? "");
  return r;
}

test("ConsumerGroupHeartbeat answers the group's own consumer.heartbeat.interval.ms", async () => {
  await setGroupConfig("own", "consumer.heartbeat.interval.ms", "8000");
  const own = await consumerHeartbeat("own", "m-own", 0);
  assert.equal(own.heartbeatIntervalMs, 8000);
  const plain = await consumerHeartbeat("plain", "m-plain", 0);
  assert.equal(
    plain.heartbeatIntervalMs,
    5000,
    "the broker's group.consumer.heartbeat.interval.ms",
  );
  await setGroupConfig("own", "consumer.heartbeat.interval.ms", "12000");
  const again = await consumerHeartbeat("own", "m-own", own.memberEpoch);
  assert.equal(again.heartbeatIntervalMs, 12_000, "a change reaches the next heartbeat");
});

test("ShareGroupHeartbeat answers the group's own share.heartbeat.interval.ms", async () => {
  await setGroupConfig("share-own", "share.heartbeat.interval.ms", "9000");
  const hb = (groupId: string) =>
    b.client.send(
      ShareGroupHeartbeatApi,
      1,
      createShareGroupHeartbeatRequest({
        groupId,
        memberId: `m-${groupId}`,
        memberEpoch: 0,
        subscribedTopicNames: ["t"],
      }),
    );
  const own = await hb("share-own");
  assert.equal(own.errorCode, ErrorCode.NONE, own.errorMessage ?? "");
  assert.equal(own.heartbeatIntervalMs, 9000);
  assert.equal((await hb("share-plain")).heartbeatIntervalMs, 5000);
});
