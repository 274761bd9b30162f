/**
 * Generated nested-struct names: the rule on small specs, and over every generated module
 * that no exported identifier repeats its message's name and none is longer than the bound.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { emitModule } from "./emit-module.js";
import { indexOfRun, nestedStructs, words } from "./nested-names.js";
import { fullName, type MessageSpec } from "./spec-model.js";
import { loadSpecs, parseSpec } from "./spec-parser.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
/** The longest generated identifier allowed (it was 77 when nested names repeated the message). */
const MAX_IDENTIFIER = 64;

/** Generated name of each struct of the one message in `dsl`. */
function names(dsl: string): Record<string, string> {
  const [msg] = parseSpec(dsl, "test.lbs");
  assert.ok(msg);
  return Object.fromEntries(nestedStructs(msg).map((s) => [s.name, s.tsName]));
}

test("nested names drop the message name the struct name repeats", () => {
  assert.deepEqual(
    names(`response Thing key=1 versions=0 flexible=none
  Items []ThingResponseItem 0
    Parts []ThingResponsePart 0
      Id int32 0
`),
    { ThingResponseItem: "ThingResponseItem", ThingResponsePart: "ThingResponsePart" },
  );
});

test("nested names drop the API's base name, also inside the struct name", () => {
  assert.deepEqual(
    names(`request Thing key=1 versions=0 flexible=none
  Items []ThingItem 0
    Id int32 0
  Tops []TopThingData 0
    Id int32 0
`),
    { ThingItem: "ThingRequestItem", TopThingData: "ThingRequestTopData" },
  );
});

test("nested names drop a leading run of two or more words the base name contains", () => {
  assert.deepEqual(
    names(`request IncrementalPaintThings key=1 versions=0 flexible=none
  Items []PaintThingsItem 0
    Id int32 0
  Others []IncrementalOther 0
    Id int32 0
`),
    {
      PaintThingsItem: "IncrementalPaintThingsRequestItem",
      IncrementalOther: "IncrementalPaintThingsRequestIncrementalOther",
    },
  );
});

test("nested names keep a struct name that is all message name, or whose words only look alike", () => {
  assert.deepEqual(
    names(`response PaintVersions key=1 versions=0 flexible=none
  Same []PaintVersionsResponse 0
    Id int32 0
  Versions []PaintVersion 0
    Id int32 0
`),
    {
      PaintVersionsResponse: "PaintVersionsResponsePaintVersionsResponse",
      PaintVersion: "PaintVersionsResponsePaintVersion",
    },
  );
});

test("nested names that would clash keep the whole struct name", () => {
  assert.deepEqual(
    names(`response Thing key=1 versions=0 flexible=none
  A []ThingTopic 0
    Id int32 0
  B []Topic 0
    Id int32 0
  C []ThingResponsePartition 0
    Id int32 0
`),
    {
      ThingTopic: "ThingResponseThingTopic",
      Topic: "ThingResponseTopic",
      ThingResponsePartition: "ThingResponsePartition",
    },
  );
});

test("the issue's example is named as franz-go would, less one word", async () => {
  const specs = await loadSpecs(join(ROOT, "protocol-specs"));
  const msg = specs.find((m) => fullName(m) === "DescribeTopicPartitionsResponse");
  assert.ok(msg);
  const partition = nestedStructs(msg).find((s) => s.name.endsWith("ResponsePartition"));
  assert.equal(partition?.tsName, "DescribeTopicPartitionsResponsePartition");
});

test(`no generated identifier repeats its message's name or exceeds ${MAX_IDENTIFIER} characters`, async () => {
  const specs = await loadSpecs(join(ROOT, "protocol-specs"));
  const byFile = new Map<string, MessageSpec[]>();
  for (const m of specs) byFile.set(m.file, [...(byFile.get(m.file) ?? []), m]);
  const messages = specs.map((m) => ({ full: fullName(m), base: words(m.name) }));
  let longest = "";
  let checked = 0;
  for (const [file, msgs] of byFile) {
    const code = emitModule(file, msgs, "..");
    for (const [, id] of code.matchAll(/^export (?:interface|function|const|type) (\w+)/gm)) {
      if (id === undefined) continue;
      if (id.length > longest.length) longest = id;
      const name = id.replace(/^(create|encode|decode|size)(?=[A-Z])/, "");
      const owner = messages
        .filter((m) => name.startsWith(m.full))
        .sort((a, b) => b.full.length - a.full.length)[0];
      if (owner === undefined) continue;
      checked++;
      const rest = words(name.slice(owner.full.length));
      assert.equal(indexOfRun(rest, owner.base), -1, `${id} repeats ${owner.full}`);
    }
  }
  assert.ok(checked > 500, `only ${checked} identifiers checked`);
  assert.ok(longest.length <= MAX_IDENTIFIER, `${longest} has ${longest.length} characters`);
});
