/** The handler registry drives routing and ApiVersions, so it must refuse inconsistent entries. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiVersionsApi, FetchApi } from "@logbook/protocol";
import { defineHandler } from "../src/handler.js";
import { apiVersionsHandler } from "../src/handlers/18-api-versions.js";
import { HandlerRegistry } from "../src/registry.js";

const fetchHandler = (min: number, max: number) =>
  defineHandler({
    api: FetchApi,
    minVersion: min,
    maxVersion: max,
    handle: () => FetchApi.response.create(),
  });

test("registry lists handlers in key order and refuses duplicates", () => {
  const r = new HandlerRegistry().register(apiVersionsHandler).register(fetchHandler(4, 12));
  assert.deepEqual(
    r.list().map((h) => h.api.apiKey),
    [1, 18],
  );
  assert.equal(r.get(18), apiVersionsHandler);
  assert.equal(r.get(99), undefined);
  assert.throws(() => r.register(fetchHandler(4, 11)), /registered twice/);
});

test("registry refuses version ranges the codec cannot parse", () => {
  assert.throws(
    () => new HandlerRegistry().register(fetchHandler(4, FetchApi.maxVersion + 1)),
    /outside the codec/,
  );
  assert.throws(() => new HandlerRegistry().register(fetchHandler(5, 4)), /outside the codec/);
  assert.equal(ApiVersionsApi.maxVersion, 5);
});

test("override swaps a handler in for a test and restores the previous one", () => {
  const r = new HandlerRegistry().register(fetchHandler(4, 12));
  const original = r.get(1);
  const restore = r.override(fetchHandler(4, 4));
  assert.equal(r.get(1)?.maxVersion, 4);
  restore();
  assert.equal(r.get(1), original);
  const restoreNew = r.override(apiVersionsHandler);
  assert.equal(r.get(18), apiVersionsHandler);
  restoreNew();
  assert.equal(r.get(18), undefined);
});
