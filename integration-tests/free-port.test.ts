/**
 * freePort never hands out a port twice in one process. The OS gives a just-closed
 * ephemeral port again soon enough that a test naming two listeners once got the same
 * port for Kafka's CONTROLLER and SASL_PLAINTEXT listeners, and Kafka refused to start.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { freePort } from "./helpers/free-port.js";

test("a thousand freePort calls give a thousand different ports", async () => {
  const ports = new Set<number>();
  for (let i = 0; i < 1000; i++) ports.add(await freePort());
  assert.equal(ports.size, 1000);
});
