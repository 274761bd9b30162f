/** The logger prints what was caught: an Error with its stack, anything else as text. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createLogger, memoryLogger } from "../src/logger.js";

function thrower(): never {
  throw new Error("disk on fire");
}

function caught(): unknown {
  try {
    thrower();
  } catch (e) {
    return e;
  }
}

test("an Error given to the JSON logger is printed with its message and stack", () => {
  const lines: string[] = [];
  const logger = createLogger("info", { component: "t" }, (l) => lines.push(l));
  logger.error("handler failed", { api: "Produce" }, caught());
  assert.equal(lines.length, 1);
  const line = JSON.parse(lines[0] as string) as Record<string, unknown>;
  assert.equal(line.level, "error");
  assert.equal(line.api, "Produce");
  assert.equal(line.component, "t");
  assert.equal(line.error, "disk on fire");
  assert.match(String(line.stack), /Error: disk on fire\n\s+at thrower/);
});

test("a thrown non-Error is printed as text, and no cause adds no fields", () => {
  const logger = memoryLogger();
  logger.child({ peer: "p" }).warn("odd", {}, "just a string");
  logger.info("plain");
  assert.deepEqual(logger.events, [
    { level: "warn", msg: "odd", fields: { peer: "p", error: "just a string" } },
    { level: "info", msg: "plain", fields: {} },
  ]);
});
