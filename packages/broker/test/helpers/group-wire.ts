import {
  createJoinGroupRequest,
  createJoinGroupRequestProtocol,
  createSyncGroupRequest,
  createSyncGroupRequestAssignment,
  ErrorCode,
  JoinGroupApi,
  type JoinGroupRequest,
  type JoinGroupResponse,
  SyncGroupApi,
  type SyncGroupResponse,
} from "@logbook/protocol";
import type { BrokerConfig } from "../../src/index.js";
import { startTestBroker, type TestBroker } from "./admin-broker.js";
import { WireClient } from "./wire-client.js";

/** A real broker whose group coordinator has finished loading. */
export async function startGroupBroker(overrides: Partial<BrokerConfig> = {}): Promise<TestBroker> {
  const b = await startTestBroker(overrides);
  await b.broker.groups.ready;
  return b;
}

/** Creates a topic through the registry (CreateTopics has its own tests). */
export async function createTopic(b: TestBroker, name: string, partitions = 1): Promise<void> {
  const r = await b.broker.topics.create(name, partitions, new Map());
  if (!r.ok) throw new Error(`create ${name}: ${r.message}`);
}

/** A group member on its own connection: JoinGroup long-polls and would hold other responses. */
export async function memberClient(b: TestBroker): Promise<WireClient> {
  return WireClient.connect(b.port);
}

export function joinRequest(
  groupId: string,
  memberId: string,
  init: Partial<JoinGroupRequest> = {},
): JoinGroupRequest {
  return createJoinGroupRequest({
    groupId,
    memberId,
    sessionTimeoutMs: 30_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: "consumer",
    protocols: [
      createJoinGroupRequestProtocol({
        name: "range",
        metadata: Buffer.from(`sub-${memberId === "" ? "new" : "known"}`),
      }),
    ],
    ...init,
  });
}

/**
 * JoinGroup v4+ the KIP-394 way: the first join answers MEMBER_ID_REQUIRED with an id,
 * the second join (with that id) enters the group. Returns both responses.
 */
export async function joinWithMemberId(
  client: WireClient,
  version: number,
  groupId: string,
  init: Partial<JoinGroupRequest> = {},
): Promise<{ first: JoinGroupResponse; joined: JoinGroupResponse }> {
  const first = await client.send(JoinGroupApi, version, joinRequest(groupId, "", init));
  if (first.errorCode !== ErrorCode.MEMBER_ID_REQUIRED) {
    throw new Error(`expected MEMBER_ID_REQUIRED, got ${first.errorCode}`);
  }
  const joined = await client.send(
    JoinGroupApi,
    version,
    joinRequest(groupId, first.memberId, init),
  );
  return { first, joined };
}

export function sync(
  client: WireClient,
  version: number,
  groupId: string,
  generationId: number,
  memberId: string,
  assignments: [string, string][] = [],
): Promise<SyncGroupResponse> {
  return client.send(
    SyncGroupApi,
    version,
    createSyncGroupRequest({
      groupId,
      generationId,
      memberId,
      protocolType: "consumer",
      protocolName: "range",
      assignments: assignments.map(([id, bytes]) =>
        createSyncGroupRequestAssignment({
          memberId: id,
          assignment: Buffer.from(bytes),
        }),
      ),
    }),
  );
}
