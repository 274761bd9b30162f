/** docs/kafka-differences.md is the rendering of the lists the differential tests enforce. */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { DOC_PATH, renderDifferencesDoc } from "./differences-doc.js";

test("docs/kafka-differences.md matches the allowed-differences and version-range lists", async () => {
  const committed = await readFile(DOC_PATH, "utf8");
  assert.equal(
    committed,
    renderDifferencesDoc(),
    "stale: run `node --import tsx integration-tests/differential/differences-doc.ts --write`",
  );
});
