/**
 * InitProducerId when the storage refuses to record a producer id (disk full or
 * read-only): a typed refusal is COORDINATOR_NOT_AVAILABLE, which clients retry; any
 * other failure is left to the dispatcher's policy (UNKNOWN_SERVER_ERROR).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createInitProducerIdRequest,
  ErrorCode,
  InitProducerIdApi,
  type InitProducerIdResponse,
} from "@logbook/protocol";
import { AppendError, MemoryEngine, realClock, silentLogger } from "@logbook/storage";
import { createDataPlane } from "../src/data/index.js";
import { plaintextSession } from "../src/server/client-session.js";
import { TestTopics } from "./helpers/data-broker.js";
import { testServices } from "./helpers/test-services.js";

async function initWith(failure: Error): Promise<InitProducerIdResponse> {
  const storage = new MemoryEngine({ clock: realClock() });
  const real = createDataPlane({ storage, logger: silentLogger });
  const dataPlane = { ...real, producerIds: () => Promise.reject(failure) };
  const services = testServices({ storage, topics: new TestTopics(storage), dataPlane });
  try {
    const handler = services.registry.get(InitProducerIdApi.apiKey);
    assert.ok(handler);
    const version = 4;
    const request = createInitProducerIdRequest({ transactionalId: null });
    return (await handler.handle(request, {
      header: { requestApiKey: 22, requestApiVersion: version, correlationId: 1, clientId: "t" },
      version,
      broker: services,
      peer: "t",
      session: plaintextSession("t"),
    })) as InitProducerIdResponse;
  } finally {
    await services.close();
    await real.close();
  }
}

test("a producer id the storage refuses to record is COORDINATOR_NOT_AVAILABLE (retriable)", async () => {
  const r = await initWith(new AppendError("storage", "log write failed: ENOSPC"));
  assert.deepEqual(
    [r.errorCode, r.producerId, r.producerEpoch],
    [ErrorCode.COORDINATOR_NOT_AVAILABLE, -1n, -1],
  );
});

test("any other failure is not hidden behind an error code: it reaches the dispatcher", async () => {
  await assert.rejects(initWith(new TypeError("bug")), /bug/);
  await assert.rejects(initWith(new AppendError("corrupt-batch", "bad")), /bad/);
});
