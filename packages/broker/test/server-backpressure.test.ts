/**
 * Backpressure: a client that writes requests but never reads the responses must not
 * make the broker buffer without bound. Once max.pending.response.bytes of responses
 * wait in its socket, the broker stops reading; the requests then stay in the kernel
 * buffers and on the client's side. Asserted on how many requests (and so response
 * bytes) the broker took in, not on time.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ApiVersionsApi,
  createApiVersionsRequest,
  createListTransactionsRequest,
  createListTransactionsResponse,
  decodeResponseFrame,
  ErrorCode,
  ListTransactionsApi,
} from "@logbook/protocol";
import {
  type InProcessBroker,
  startInProcess,
} from "../../../integration-tests/helpers/in-process.js";
import { WireClient } from "../../../integration-tests/helpers/wire-client.js";
import { defineHandler } from "../src/handler.js";

const MB = 1024 * 1024;
const RESPONSE_PAD = "x".repeat(1000); // ~1 KiB per response
let b: InProcessBroker;
let handled = 0;

before(async () => {
  b = await startInProcess({ maxPendingResponseBytes: 64 * 1024 });
  // A test-only handler on a key the broker does not serve, counting what it is given.
  b.broker.registry.override(
    defineHandler({
      api: ListTransactionsApi,
      minVersion: 0,
      maxVersion: 1,
      handle() {
        handled++;
        return createListTransactionsResponse({ unknownStateFilters: [RESPONSE_PAD] });
      },
    }),
  );
});
after(async () => {
  await b.stop();
});

test("a client that never reads: the broker stops reading after the bound", async () => {
  const c = await WireClient.connect(b.port);
  c.socket.pause(); // never read: responses back up into the broker
  const { frame } = c.frame(ListTransactionsApi, 0, createListTransactionsRequest());
  const requests = 250_000; // answering all of them would queue ~250 MB
  const perWrite = 250;
  const batch = Buffer.concat(Array.from({ length: perWrite }, () => frame));
  for (let i = 0; i < requests / perWrite; i++) c.socket.write(batch);

  // Wait until the broker stops taking requests (bounded: a broker without backpressure
  // takes them all, and fails the assertion below).
  let last = -1;
  for (let stable = 0, polls = 0; stable < 10 && polls < 600; polls++) {
    await new Promise((r) => setTimeout(r, 100));
    stable = handled === last ? stable + 1 : 0;
    last = handled;
  }
  const queuedResponseBytes = handled * (RESPONSE_PAD.length + 20);
  // The loopback socket buffers hold a few MiB of responses, plus the 64 KiB bound.
  assert.ok(
    queuedResponseBytes < 32 * MB,
    `the broker answered ${handled} of ${requests} requests (${(queuedResponseBytes / MB).toFixed(0)} MiB)`,
  );
  assert.ok(handled > 0);
  assert.ok(c.socket.writableLength > 0, "requests are still waiting on the client side");

  // Reading again lets the broker go on, and what arrives is in order and intact.
  c.socket.resume();
  const upTo = last + 2000; // more than were answered before the pause
  for (let i = 0; i < upTo; i++) {
    const r = decodeResponseFrame(ListTransactionsApi, 0, await c.nextFrame());
    assert.deepEqual(r.body.unknownStateFilters, [RESPONSE_PAD]);
  }
  assert.ok(handled > last, "the broker resumed reading");
  c.close();

  // Other clients were served all along.
  const other = await WireClient.connect(b.port);
  const ok = await other.request(ApiVersionsApi, 0, createApiVersionsRequest());
  assert.equal(ok.body.errorCode, ErrorCode.NONE);
  other.close();
});
