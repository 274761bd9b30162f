/**
 * The ceiling's control APIs, through Logbook's own codec: just enough for librdkafka
 * and kafkajs to find the topics and, for kafkajs, to run a one-member consumer group.
 * Nothing here is on the measured path except kafkajs's periodic heartbeats and
 * offset commits. Topics are created by CreateTopics or, with one partition, by a
 * Metadata request that allows auto-creation.
 */
import {
  type ApiCodec,
  ApiVersionsApi,
  type ApiVersionsResponse,
  CreateTopicsApi,
  createApiVersionsResponse,
  createApiVersionsResponseApiVersion,
  createCreateTopicsResponse,
  createCreateTopicsResponseCreatableTopicResult,
  createFindCoordinatorResponse,
  createHeartbeatResponse,
  createJoinGroupResponse,
  createJoinGroupResponseMember,
  createLeaveGroupResponse,
  createListOffsetsResponse,
  createListOffsetsResponsePartitionResponse,
  createListOffsetsResponseTopicResponse,
  createMetadataResponse,
  createMetadataResponseBroker,
  createMetadataResponsePartition,
  createMetadataResponseTopic,
  createOffsetCommitResponse,
  createOffsetCommitResponsePartition,
  createOffsetCommitResponseTopic,
  createOffsetFetchResponse,
  createOffsetFetchResponsePartition,
  createOffsetFetchResponseTopic,
  createSyncGroupResponse,
  decodeRequestFrame,
  encodeResponseFrame,
  FindCoordinatorApi,
  HeartbeatApi,
  JoinGroupApi,
  LeaveGroupApi,
  ListOffsetsApi,
  MetadataApi,
  OffsetCommitApi,
  OffsetFetchApi,
  SyncGroupApi,
} from "../../packages/protocol/src/index.js";
import { FETCH_VERSIONS, PRODUCE_VERSIONS } from "./data-path.js";
import type { PartitionFile } from "./partition-file.js";

const NODE_ID = 0;
const TOPIC_ALREADY_EXISTS = 36;
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const UNSUPPORTED_VERSION = 35;

export interface ControlState {
  host: string;
  port: number;
  topics: Map<string, PartitionFile[]>;
  createTopic(name: string, partitions: number): Promise<void>;
}

interface Group {
  generation: number;
  assignment: Buffer;
}
const groups = new Map<string, Group>();
const committed = new Map<string, bigint>();

type Handler = (frame: Buffer, state: ControlState) => Promise<Buffer>;

function api<Req, Res>(
  codec: ApiCodec<Req, Res>,
  min: number,
  max: number,
  run: (req: Req, version: number, state: ControlState) => Res | Promise<Res>,
): ControlApi {
  return {
    min,
    max,
    handle: async (frame, state) => {
      const { header, body } = decodeRequestFrame(codec, frame);
      const v = header.requestApiVersion;
      return encodeResponseFrame(codec, v, header.correlationId, await run(body, v, state));
    },
  };
}

function apiVersionsBody(): ApiVersionsResponse {
  return createApiVersionsResponse({
    errorCode: 0,
    apiKeys: [
      [0, PRODUCE_VERSIONS.min, PRODUCE_VERSIONS.max],
      [1, FETCH_VERSIONS.min, FETCH_VERSIONS.max],
      ...[...CONTROL.entries()].map(([key, h]) => [key, h.min, h.max]),
    ].map(([apiKey, minVersion, maxVersion]) =>
      createApiVersionsResponseApiVersion({
        apiKey: apiKey as number,
        minVersion: minVersion as number,
        maxVersion: maxVersion as number,
      }),
    ),
  });
}

interface ControlApi {
  min: number;
  max: number;
  handle: Handler;
}

export const CONTROL: Map<number, ControlApi> = new Map<number, ControlApi>([
  [18, api(ApiVersionsApi, 0, 3, () => apiVersionsBody())],
  [
    3,
    api(MetadataApi, 0, 12, async (req, _v, s) => {
      const names = req.topics === null ? [...s.topics.keys()] : req.topics.map((t) => t.name);
      const topics = [];
      for (const name of names) {
        if (name === null) continue;
        if (!s.topics.has(name) && req.allowAutoTopicCreation) await s.createTopic(name, 1);
        const files = s.topics.get(name);
        topics.push(
          createMetadataResponseTopic({
            name,
            errorCode: files === undefined ? UNKNOWN_TOPIC_OR_PARTITION : 0,
            partitions: (files ?? []).map((_, partitionIndex) =>
              createMetadataResponsePartition({
                partitionIndex,
                leaderId: NODE_ID,
                leaderEpoch: 0,
                replicaNodes: [NODE_ID],
                isrNodes: [NODE_ID],
              }),
            ),
          }),
        );
      }
      return createMetadataResponse({
        brokers: [
          createMetadataResponseBroker({
            nodeId: NODE_ID,
            host: s.host,
            port: s.port,
          }),
        ],
        clusterId: "ceiling",
        controllerId: NODE_ID,
        topics,
      });
    }),
  ],
  [
    19,
    api(CreateTopicsApi, 0, 7, async (req, _v, s) => {
      const topics = [];
      for (const t of req.topics) {
        const exists = s.topics.has(t.name);
        const n = t.numPartitions > 0 ? t.numPartitions : 1;
        if (!exists) await s.createTopic(t.name, n);
        topics.push(
          createCreateTopicsResponseCreatableTopicResult({
            name: t.name,
            errorCode: exists ? TOPIC_ALREADY_EXISTS : 0,
            numPartitions: n,
            replicationFactor: 1,
          }),
        );
      }
      return createCreateTopicsResponse({ topics });
    }),
  ],
  [
    2,
    api(ListOffsetsApi, 0, 7, (req, _v, s) =>
      createListOffsetsResponse({
        topics: req.topics.map((t) =>
          createListOffsetsResponseTopicResponse({
            name: t.name,
            partitions: t.partitions.map((p) => {
              const file = s.topics.get(t.name)?.[p.partitionIndex];
              const offset =
                file === undefined ? -1n : p.timestamp === -1n ? BigInt(file.highWatermark) : 0n;
              return createListOffsetsResponsePartitionResponse({
                partitionIndex: p.partitionIndex,
                errorCode: file === undefined ? UNKNOWN_TOPIC_OR_PARTITION : 0,
                oldStyleOffsets: [offset],
                timestamp: -1n,
                offset,
              });
            }),
          }),
        ),
      }),
    ),
  ],
  [
    10,
    api(FindCoordinatorApi, 0, 3, (_req, _v, s) =>
      createFindCoordinatorResponse({ errorCode: 0, nodeId: NODE_ID, host: s.host, port: s.port }),
    ),
  ],
  [
    11,
    api(JoinGroupApi, 0, 7, (req) => {
      // One member per group: it leads, and every join starts a new generation.
      const memberId =
        req.memberId === "" ? `member-${Math.random().toString(36).slice(2)}` : req.memberId;
      const group = groups.get(req.groupId) ?? { generation: 0, assignment: Buffer.alloc(0) };
      group.generation++;
      groups.set(req.groupId, group);
      const protocol = req.protocols[0];
      return createJoinGroupResponse({
        errorCode: 0,
        generationId: group.generation,
        protocolType: req.protocolType,
        protocolName: protocol?.name ?? null,
        leader: memberId,
        memberId,
        members: [
          createJoinGroupResponseMember({
            memberId,
            metadata: protocol?.metadata ?? Buffer.alloc(0),
          }),
        ],
      });
    }),
  ],
  [
    14,
    api(SyncGroupApi, 0, 5, (req) => {
      const mine = req.assignments.find((a) => a.memberId === req.memberId);
      const group = groups.get(req.groupId);
      if (group !== undefined && mine !== undefined) group.assignment = mine.assignment;
      return createSyncGroupResponse({
        errorCode: 0,
        protocolType: req.protocolType,
        protocolName: req.protocolName,
        assignment: group?.assignment ?? Buffer.alloc(0),
      });
    }),
  ],
  [12, api(HeartbeatApi, 0, 4, () => createHeartbeatResponse({ errorCode: 0 }))],
  [13, api(LeaveGroupApi, 0, 4, () => createLeaveGroupResponse({ errorCode: 0 }))],
  [
    8,
    api(OffsetCommitApi, 0, 8, (req) =>
      createOffsetCommitResponse({
        topics: req.topics.map((t) =>
          createOffsetCommitResponseTopic({
            name: t.name,
            partitions: t.partitions.map((p) => {
              committed.set(`${req.groupId}/${t.name}/${p.partitionIndex}`, p.committedOffset);
              return createOffsetCommitResponsePartition({
                partitionIndex: p.partitionIndex,
                errorCode: 0,
              });
            }),
          }),
        ),
      }),
    ),
  ],
  [
    9,
    api(OffsetFetchApi, 0, 7, (req) =>
      createOffsetFetchResponse({
        errorCode: 0,
        topics: (req.topics ?? []).map((t) =>
          createOffsetFetchResponseTopic({
            name: t.name,
            partitions: t.partitionIndexes.map((partitionIndex) =>
              createOffsetFetchResponsePartition({
                partitionIndex,
                committedOffset: committed.get(`${req.groupId}/${t.name}/${partitionIndex}`) ?? -1n,
                committedLeaderEpoch: -1,
                errorCode: 0,
              }),
            ),
          }),
        ),
      }),
    ),
  ],
]);

/** A request for an API or version the ceiling does not serve. */
export function unsupported(apiKey: number, version: number, correlationId: number): Buffer | null {
  if (apiKey !== 18) return null;
  // KIP-511: an ApiVersions request of an unknown version gets the v0 layout.
  const body = apiVersionsBody();
  body.errorCode = UNSUPPORTED_VERSION;
  void version;
  return encodeResponseFrame(ApiVersionsApi, 0, correlationId, body);
}
