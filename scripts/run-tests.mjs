#!/usr/bin/env node
// Runs every *.test.ts under packages/*/test, scripts/ and integration-tests/ with Node's
// test runner (TypeScript through tsx, workspace packages resolved to their sources),
// then prints one closing line "N passed, M failed" that CI reads.
import { spawn } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { TEST_RUNNER_FLAGS } from "./test-runner-flags.mjs";

const root = new URL("..", import.meta.url).pathname;
const roots = ["packages", "scripts", "integration-tests"];

async function findTests(dir, out) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.name === "node_modules" || e.name === "dist") continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) await findTests(p, out);
    else if (e.name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

const filter = process.argv.slice(2);
let files = [];
for (const r of roots) await findTests(join(root, r), files);
files = files.map((f) => relative(root, f)).sort();
const interopFiles = files.filter((f) => f.startsWith("integration-tests/interop/"));
if (filter.length > 0) files = files.filter((f) => filter.some((x) => f.includes(x)));
if (files.length === 0) {
  console.log("no test files found");
  console.log("0 passed, 1 failed");
  process.exit(1);
}

// Build first (type-checks every package) and bundle the CLI; a failed build counts as a
// failed test.
const build = spawn(
  process.execPath,
  [join(root, "node_modules/typescript/bin/tsc"), "-b", "tsconfig.build.json"],
  {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
  },
);
const buildCode = await new Promise((resolve) => build.on("exit", (c) => resolve(c ?? 1)));
if (buildCode !== 0) {
  console.log("\nbuild failed");
  console.log("0 passed, 1 failed");
  process.exit(1);
}
// The tests that spawn `logbook` run the bundled CLI, as users do (scripts/bundle-cli.mjs).
try {
  const { bundleCli } = await import("./bundle-cli.mjs");
  await bundleCli();
} catch (e) {
  console.log(`\nbundling the CLI failed: ${e instanceof Error ? e.message : String(e)}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}

// The interop matrix's test files leave their results behind; turn them into
// docs/compatibility.md (a failure to write it counts as a failed test). Only a run of
// the whole matrix rewrites it, so a filtered run never leaves a partial table; such a
// run starts without old results, so a column that did not save (or no longer exists)
// cannot reappear in the table from an earlier run.
const wholeMatrix = interopFiles.length > 0 && interopFiles.every((f) => files.includes(f));
if (wholeMatrix) {
  const { rm } = await import("node:fs/promises");
  await rm(join(root, "integration-tests/interop/.results"), { recursive: true, force: true });
}

const args = [
  ...TEST_RUNNER_FLAGS,
  "--test-reporter=spec",
  "--test-reporter-destination=stdout",
  "--test-reporter=tap",
  "--test-reporter-destination=.test-results.tap",
  ...files,
];
const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
const code = await new Promise((resolve) => child.on("exit", (c) => resolve(c ?? 1)));

const { readFile } = await import("node:fs/promises");
const tap = await readFile(join(root, ".test-results.tap"), "utf8").catch(() => "");
const count = (name) => Number(tap.match(new RegExp(`^# ${name} (\\d+)$`, "m"))?.[1] ?? 0);
const passed = count("pass");
const failed = count("fail") + count("cancelled");
const skipped = count("skipped") + count("todo");
let failedTotal = code !== 0 && failed === 0 ? 1 : failed;

if (!wholeMatrix && files.some((f) => interopFiles.includes(f))) {
  console.log("docs/compatibility.md kept: only part of the interop matrix ran");
}
if (wholeMatrix) {
  const doc = spawn(
    process.execPath,
    ["--import", "tsx", "integration-tests/interop/write-compatibility.ts"],
    { cwd: root, stdio: ["ignore", "inherit", "inherit"] },
  );
  if ((await new Promise((resolve) => doc.on("exit", (c) => resolve(c ?? 1)))) !== 0) {
    console.log("could not write docs/compatibility.md");
    failedTotal += 1;
  }
}

console.log(`\n${passed} passed, ${failedTotal} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(code === 0 && failedTotal === 0 ? 0 : 1);
