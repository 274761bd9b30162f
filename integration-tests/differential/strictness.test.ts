/**
 * Requests Kafka accepts must not be refused (or the connection closed) by Logbook:
 * bytes after the request body, unknown tagged fields in the body and in the header,
 * null client ids, null versus empty arrays, versions and API keys a broker does not
 * know. Each is sent to both brokers and the outcomes and answers compared.
 */

import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import {
  ApiVersionsApi,
  createApiVersionsRequest,
  createDescribeConfigsRequest,
  createDescribeConfigsRequestResource,
  createDescribeLogDirsRequest,
  createFindCoordinatorRequest,
  createMetadataRequest,
  createMetadataRequestTopic,
  createOffsetFetchRequest,
  createRequestHeader,
  DescribeConfigsApi,
  DescribeLogDirsApi,
  encodeRequestHeader,
  FindCoordinatorApi,
  MetadataApi,
  OffsetFetchApi,
  sizeRequestHeader,
  Writer,
} from "@logbook/protocol";
import { assertSame, type Conversation, DiffPair } from "./pair.js";
import { settleCoordinator } from "./setup.js";

let pair: DiffPair;
let conv: Conversation;

before(async () => {
  pair = await DiffPair.start();
  conv = await pair.conversation();
  await conv.createTopic("strict", 2);
  await settleCoordinator(conv, "strict-group", 0);
});
// A refused request closes a connection; every test starts on open ones.
beforeEach(() => conv.reopenClosed());
after(async () => {
  conv?.close();
  await pair?.stop();
});

/** The frame with `extra` appended to the body and the size prefix fixed. */
function withTrailing(extra: Buffer) {
  return (frame: Buffer): Buffer => {
    const out = Buffer.concat([frame, extra]);
    out.writeInt32BE(out.length - 4, 0);
    return out;
  };
}

/** The frame with its header's api version replaced. */
function withVersion(v: number) {
  return (frame: Buffer): Buffer => {
    const out = Buffer.from(frame);
    out.writeInt16BE(v, 6);
    return out;
  };
}

/** Re-encodes the header (v2) of a flexible request with an unknown tagged field. */
function withHeaderTag(apiKey: number, version: number, clientId: string) {
  return (frame: Buffer, correlationId: number): Buffer => {
    const plain = createRequestHeader({
      requestApiKey: apiKey,
      requestApiVersion: version,
      correlationId,
      clientId,
    });
    const body = frame.subarray(4 + sizeRequestHeader(plain, 2));
    const tagged = { ...plain, unknownTaggedFields: [{ tag: 77, data: Buffer.from("hello") }] };
    const size = sizeRequestHeader(tagged, 2);
    const w = Writer.alloc(4 + size);
    w.int32(size + body.length);
    encodeRequestHeader(w, tagged, 2);
    return Buffer.concat([w.result(), body]);
  };
}

const metadataAll = createMetadataRequest({ topics: null, allowAutoTopicCreation: false });

test("bytes after the request body are ignored, as Kafka does (flexible and not)", async () => {
  for (const v of [1, 9, 12]) {
    const x = await conv.exchange(MetadataApi, v, metadataAll, {
      mutateFrame: withTrailing(Buffer.from([0, 0, 0])),
    });
    assertSame(`Metadata v${v} + 3 bytes`, x);
    assert.equal(x.kafka.kind, "answer");
    await conv.reopenClosed();
  }
  const x = await conv.exchange(
    ApiVersionsApi,
    3,
    createApiVersionsRequest({ clientSoftwareName: "s", clientSoftwareVersion: "1" }),
    { mutateFrame: withTrailing(Buffer.from("trailing")) },
  );
  assertSame("ApiVersions v3 + 8 bytes", x);
  await conv.reopenClosed();
});

test("unknown tagged fields in a request body are skipped", async () => {
  const x = await conv.exchange(
    MetadataApi,
    12,
    createMetadataRequest({
      topics: [
        createMetadataRequestTopic({
          name: "strict",
          unknownTaggedFields: [{ tag: 5, data: Buffer.from([1, 2, 3]) }],
        }),
      ],
      allowAutoTopicCreation: false,
      unknownTaggedFields: [{ tag: 42, data: Buffer.from("x") }],
    }),
  );
  assertSame("Metadata v12 with unknown tags", x);
  assert.equal(x.kafka.kind, "answer");
});

test("an unknown tagged field in the request header is skipped", async () => {
  const x = await conv.exchange(MetadataApi, 12, metadataAll, {
    mutateFrame: withHeaderTag(MetadataApi.apiKey, 12, "wire-test"),
  });
  assertSame("Metadata v12 with a header tag", x);
  assert.equal(x.kafka.kind, "answer");
});

test("a null client id is accepted in every header version", async () => {
  for (const v of [0, 1, 9, 12]) {
    const x = await conv.exchange(MetadataApi, v, createMetadataRequest({ topics: [] }), {
      clientId: null,
    });
    assertSame(`Metadata v${v} with a null client id`, x);
    assert.equal(x.kafka.kind, "answer");
  }
  const x = await conv.exchange(
    FindCoordinatorApi,
    0,
    createFindCoordinatorRequest({ key: "strict-group" }),
    { clientId: null },
  );
  assertSame("FindCoordinator v0 with a null client id", x);
});

test("null and empty arrays are read as Kafka reads them (all topics, no topics, every config)", async () => {
  for (const topics of [null, []]) {
    for (const v of [1, 12])
      assertSame(
        `Metadata v${v} topics=${JSON.stringify(topics)}`,
        await conv.exchange(
          MetadataApi,
          v,
          createMetadataRequest({ topics, allowAutoTopicCreation: false }),
        ),
      );
    assertSame(
      `DescribeLogDirs topics=${JSON.stringify(topics)}`,
      await conv.exchange(DescribeLogDirsApi, 4, createDescribeLogDirsRequest({ topics })),
    );
    assertSame(
      `OffsetFetch v7 topics=${JSON.stringify(topics)}`,
      await conv.exchange(
        OffsetFetchApi,
        7,
        createOffsetFetchRequest({ groupId: "strict-group", topics }),
      ),
    );
  }
  for (const configurationKeys of [null, []]) {
    assertSame(
      `DescribeConfigs keys=${JSON.stringify(configurationKeys)}`,
      await conv.exchange(
        DescribeConfigsApi,
        4,
        createDescribeConfigsRequest({
          resources: [
            createDescribeConfigsRequestResource({
              resourceType: 2,
              resourceName: "strict",
              configurationKeys,
            }),
          ],
        }),
      ),
    );
  }
});

test("ApiVersions at a version the broker does not know is answered at v0 with UNSUPPORTED_VERSION", async () => {
  const x = await conv.exchange(
    ApiVersionsApi,
    3,
    createApiVersionsRequest({ clientSoftwareName: "s", clientSoftwareVersion: "1" }),
    { mutateFrame: withVersion(99), responseVersion: 0 },
  );
  assertSame("ApiVersions v99", x);
  assert.equal(x.kafka.kind === "answer" && x.kafka.body.errorCode, 35);
});

test("a version above the served range and an unknown API key end the same way on both", async () => {
  const high = await conv.exchange(MetadataApi, 12, metadataAll, { mutateFrame: withVersion(99) });
  assertSame("Metadata v99", high);
  await conv.reopenClosed();
  const unknownKey = await conv.exchange(MetadataApi, 12, metadataAll, {
    mutateFrame: (f) => {
      const out = Buffer.from(f);
      out.writeInt16BE(250, 4);
      return out;
    },
  });
  assertSame("API key 250", unknownKey);
  await conv.reopenClosed();
});
