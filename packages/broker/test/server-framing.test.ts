/**
 * The connection layer on a real socket: responses leave in request order (pitfall 9),
 * and every request the broker cannot answer in its own schema closes only that
 * connection (pitfall 8): oversized or negative size prefixes, unknown API keys,
 * versions outside the advertised range, undecodable bodies. Idle connections close.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ApiVersionsApi,
  createApiVersionsRequest,
  createListTransactionsResponse,
  createMetadataRequest,
  decodeResponseFrame,
  ErrorCode,
  ListTransactionsApi,
  MetadataApi,
} from "@logbook/protocol";
import {
  type InProcessBroker,
  startInProcess,
} from "../../../integration-tests/helpers/in-process.js";
import { WireClient } from "../../../integration-tests/helpers/wire-client.js";
import { defineHandler, NO_RESPONSE } from "../src/handler.js";

const MAX_FRAME = 64 * 1024;
let b: InProcessBroker;

before(async () => {
  b = await startInProcess({ socketRequestMaxBytes: MAX_FRAME, connectionsMaxIdleMs: 1000 });
  // A test-only handler on a key the broker does not serve: it finishes after the number
  // of milliseconds given as durationFilter, and sends no response when asked to, so
  // handlers complete out of order and acks=0-style requests mix in.
  b.broker.registry.override(
    defineHandler({
      api: ListTransactionsApi,
      minVersion: 0,
      maxVersion: 1,
      async handle(req) {
        await new Promise((r) => setTimeout(r, Number(req.durationFilter)));
        if (req.stateFilters[0] === "silent") return NO_RESPONSE;
        return createListTransactionsResponse({
          unknownStateFilters: [String(req.durationFilter)],
        });
      },
    }),
  );
});
after(async () => {
  await b.stop();
});

const apiVersionsV0 = (c: WireClient) => c.frame(ApiVersionsApi, 0, createApiVersionsRequest());

test("pipelined requests are answered in order even when handlers finish out of order", async () => {
  const c = await WireClient.connect(b.port);
  const sent: { id: number; silent: boolean; delay: number }[] = [];
  const frames: Buffer[] = [];
  for (let i = 0; i < 40; i++) {
    const delay = (i * 7) % 5 === 0 ? 0 : 40 - i; // early ones slow, later ones fast
    const silent = i % 9 === 4;
    const { frame, correlationId } = c.frame(ListTransactionsApi, 1, {
      stateFilters: silent ? ["silent"] : [],
      producerIdFilters: [],
      durationFilter: BigInt(delay),
    });
    frames.push(frame);
    sent.push({ id: correlationId, silent, delay });
    if (i % 3 === 0) {
      const av = apiVersionsV0(c);
      frames.push(av.frame);
      sent.push({ id: av.correlationId, silent: false, delay: -1 });
    }
  }
  c.write(Buffer.concat(frames)); // one write: the broker sees them pipelined
  for (const s of sent.filter((x) => !x.silent)) {
    const frame = await c.nextFrame();
    assert.equal(frame.readInt32BE(0), s.id, "responses in request order");
    if (s.delay >= 0) {
      const r = decodeResponseFrame(ListTransactionsApi, 1, frame);
      assert.deepEqual(r.body.unknownStateFilters, [String(s.delay)]);
    }
  }
  // A request without a response did not stall the queue, and nothing extra came.
  const last = await c.request(ApiVersionsApi, 1, createApiVersionsRequest());
  assert.equal(last.body.errorCode, ErrorCode.NONE);
  c.close();
});

test("kafka-python's probe: ApiVersions v0 and Metadata v0 pipelined on one connection", async () => {
  const c = await WireClient.connect(b.port);
  const av = apiVersionsV0(c);
  const md = c.frame(MetadataApi, 0, createMetadataRequest({ topics: [] }));
  c.write(Buffer.concat([av.frame, md.frame]));
  const first = decodeResponseFrame(ApiVersionsApi, 0, await c.nextFrame());
  assert.equal(first.header.correlationId, av.correlationId);
  assert.equal(first.body.errorCode, ErrorCode.NONE);
  const second = decodeResponseFrame(MetadataApi, 0, await c.nextFrame());
  assert.equal(second.header.correlationId, md.correlationId);
  assert.equal(second.body.brokers.length, 1);
  assert.equal(second.body.brokers[0]?.port, b.port);
  c.close();
});

/** Opens a connection, sends `bytes`, and resolves once the broker has closed it. */
async function expectClosed(bytes: Buffer): Promise<void> {
  const c = await WireClient.connect(b.port);
  c.write(bytes);
  await c.closed;
  await assert.rejects(c.nextFrame(), /closed/);
}

function prefix(n: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeInt32BE(n);
  return p;
}

test("a size prefix above socket.request.max.bytes closes the connection before any body", async () => {
  const before = process.memoryUsage().arrayBuffers;
  await expectClosed(prefix(MAX_FRAME + 1));
  await expectClosed(prefix(0x7fffffff)); // 2 GiB - 1
  await expectClosed(Buffer.concat([prefix(0x40000000), Buffer.alloc(1000, 7)]));
  await expectClosed(prefix(-1));
  // Nothing sized by the prefix was allocated: far below even the smallest one (64 KiB+).
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.ok(grown < 32 * 1024 * 1024, `array buffers grew by ${grown} bytes`);
  // The listener still serves new connections.
  const c = await WireClient.connect(b.port);
  const ok = await c.request(ApiVersionsApi, 0, createApiVersionsRequest());
  assert.equal(ok.body.errorCode, ErrorCode.NONE);
  c.close();
});

test("an unknown API key or a version outside the advertised range closes the connection", async () => {
  const header = (key: number, version: number) => {
    const h = Buffer.alloc(10);
    h.writeInt16BE(key, 0);
    h.writeInt16BE(version, 2);
    h.writeInt32BE(7, 4);
    h.writeInt16BE(-1, 8); // null client id
    return Buffer.concat([prefix(h.length), h]);
  };
  await expectClosed(header(999, 0));
  await expectClosed(header(-1, 0));
  await expectClosed(header(34, 0)); // AlterReplicaLogDirs: a real Kafka API we do not serve
  await expectClosed(header(ApiVersionsApi.apiKey, -1));
  // Shorter than any request header.
  await expectClosed(Buffer.concat([prefix(3), Buffer.from([0, 18, 0])]));
});

test("an undecodable body closes only that connection; others keep working", async () => {
  const bystander = await WireClient.connect(b.port);
  assert.equal(
    (
      await bystander.request(
        ApiVersionsApi,
        3,
        createApiVersionsRequest({
          clientSoftwareName: "a",
          clientSoftwareVersion: "1",
        }),
      )
    ).body.errorCode,
    ErrorCode.NONE,
  );

  const c = await WireClient.connect(b.port);
  const { frame } = c.frame(
    ApiVersionsApi,
    3,
    createApiVersionsRequest({
      clientSoftwareName: "abc",
      clientSoftwareVersion: "1",
    }),
  );
  // Cut the body in the middle of the software name, keeping the size prefix honest.
  const cut = frame.subarray(0, frame.length - 4);
  cut.writeInt32BE(cut.length - 4, 0);
  c.write(cut);
  await c.closed;

  assert.equal(bystander.closedNow, false);
  const again = await bystander.request(ApiVersionsApi, 0, createApiVersionsRequest());
  assert.equal(again.body.errorCode, ErrorCode.NONE);
  bystander.close();
});

test("bytes after a complete body are ignored, as Kafka ignores them (librdkafka 2.15)", async () => {
  // librdkafka 2.15's "all topics" Metadata v12 carries 3 bytes after the message;
  // Kafka reads what the schema defines and answers. So must Logbook, on every API.
  const c = await WireClient.connect(b.port);
  const padded = (frame: Buffer) => {
    const p = Buffer.concat([frame, Buffer.from([0, 0, 0])]);
    p.writeInt32BE(p.length - 4, 0);
    return p;
  };
  const md = c.frame(MetadataApi, 12, createMetadataRequest({ topics: null }));
  c.write(padded(md.frame));
  const mdAnswer = decodeResponseFrame(MetadataApi, 12, await c.nextFrame());
  assert.equal(mdAnswer.header.correlationId, md.correlationId);
  assert.ok(mdAnswer.body.brokers.length > 0, "a real Metadata answer");
  const av = c.frame(ApiVersionsApi, 0, createApiVersionsRequest());
  c.write(padded(av.frame));
  const avAnswer = decodeResponseFrame(ApiVersionsApi, 0, await c.nextFrame());
  assert.equal(avAnswer.body.errorCode, ErrorCode.NONE);
  assert.equal(c.closedNow, false, "the connection stays open");
  c.close();
});

test("an idle connection is closed after connections.max.idle.ms; a busy one is not", async () => {
  const idle = await WireClient.connect(b.port);
  const busy = await WireClient.connect(b.port);
  let busyClosed = false;
  void busy.closed.then(() => {
    busyClosed = true;
  });
  // Keep `busy` talking until `idle` has been closed by the broker.
  let stop = false;
  const talker = (async () => {
    while (!stop) {
      await busy.request(ApiVersionsApi, 0, createApiVersionsRequest());
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  await idle.closed;
  stop = true;
  await talker;
  assert.equal(busyClosed, false, "a connection with traffic stays open");
  busy.close();
});
