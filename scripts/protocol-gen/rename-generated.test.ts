/** The codemod from the nested names of before nested-names.ts to today's. */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { codeFiles, renameIdentifiers, renamesFromSpecs, renameTable } from "./rename-generated.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

// Made-up names, so running the codemod over this file leaves it alone.
const table = renameTable([
  ["ThingResponseThingResponseItem", "ThingResponseItem"],
  ["ThingResponseThingResponseItemPart", "ThingResponsePart"],
]);

test("the rename table covers the type and every function named after it", () => {
  assert.equal(table.get("ThingResponseThingResponseItem"), "ThingResponseItem");
  assert.equal(table.get("createThingResponseThingResponseItem"), "createThingResponseItem");
  assert.equal(table.get("encodeThingResponseThingResponseItemPart"), "encodeThingResponsePart");
  assert.equal(table.get("decodeThingResponseThingResponseItem"), "decodeThingResponseItem");
  assert.equal(table.get("sizeThingResponseThingResponseItem"), "sizeThingResponseItem");
  assert.equal(table.size, 12);
});

test("only whole identifiers are renamed, and a second run changes nothing", () => {
  const before = [
    "import { createThingResponseThingResponseItem, type ThingResponseThingResponseItemPart } from 'p';",
    "const a: ThingResponseThingResponseItem[] = [createThingResponseThingResponseItem()];",
    "const keep = myThingResponseThingResponseItem + ThingResponseThingResponseItemExtra + $ThingResponseThingResponseItem;",
  ].join("\n");
  const after = [
    "import { createThingResponseItem, type ThingResponsePart } from 'p';",
    "const a: ThingResponseItem[] = [createThingResponseItem()];",
    "const keep = myThingResponseThingResponseItem + ThingResponseThingResponseItemExtra + $ThingResponseThingResponseItem;",
  ].join("\n");
  assert.equal(renameIdentifiers(before, table), after);
  assert.equal(renameIdentifiers(after, table), after, "a second run changes nothing");
});

test("a table whose new name is an old name is refused (a second run would rename again)", () => {
  assert.throws(
    () =>
      renameTable([
        ["AaBb", "Bb"],
        ["Bb", "Cc"],
      ]),
    /new name Bb is also an old name/,
  );
  assert.throws(
    () =>
      renameTable([
        ["AaBb", "Bb"],
        ["AaBb", "Cc"],
      ]),
    /would become both/,
  );
});

test("the table from protocol-specs renames old names and leaves new ones alone", async () => {
  const fromSpecs = await renamesFromSpecs(join(ROOT, "protocol-specs"));
  assert.ok(fromSpecs.size > 100, `only ${fromSpecs.size} renames`);
  const olds = [...fromSpecs.keys()].join("\n");
  const news = [...fromSpecs.values()].join("\n");
  assert.equal(renameIdentifiers(olds, fromSpecs), news);
  assert.equal(renameIdentifiers(news, fromSpecs), news);
});

test("the codemod reads code under the package and top-level folders, not generated or built code", async () => {
  const root = await mkdtemp(join(tmpdir(), "rename-generated-"));
  try {
    const files = [
      "packages/a/src/x.ts",
      "packages/a/src/generated/skip.ts",
      "packages/a/test/y.test.ts",
      "packages/a/bench/z.ts",
      "packages/a/dist/skip.js",
      "packages/a/other/skip.ts",
      "packages/a/node_modules/m/skip.js",
      "scripts/s.mjs",
      "scripts/README.md",
      "scripts/data.bin",
      "integration-tests/i.test.ts",
      "integration-tests/.results/skip.ts",
      "bench/b.ts",
      "docs/skip.ts",
    ];
    for (const f of files) {
      await mkdir(dirname(join(root, f)), { recursive: true });
      await writeFile(join(root, f), "");
    }
    assert.deepEqual(await codeFiles(root), [
      "bench/b.ts",
      "integration-tests/i.test.ts",
      "packages/a/bench/z.ts",
      "packages/a/src/x.ts",
      "packages/a/test/y.test.ts",
      "scripts/README.md",
      "scripts/s.mjs",
    ]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
