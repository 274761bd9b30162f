/**
 * Repository-wide checks that run with the tests, so CI fails on any of them:
 * formatting and lint (Biome), type checking of every file (tests and scripts too, which
 * the build does not cover), and generated code matching a fresh generation.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name: string): string => join(ROOT, "node_modules/.bin", name);

function run(cmd: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

test("biome check (format + lint) is clean", () => {
  const r = run(bin("biome"), ["check", "."]);
  assert.equal(r.status, 0, r.output.slice(-4000));
});

test("every TypeScript file type-checks under the strict settings", () => {
  const r = run(bin("tsc"), ["-p", "tsconfig.json", "--noEmit"]);
  assert.equal(r.status, 0, r.output.slice(-4000));
});

test("generated protocol code is up to date with protocol-specs", () => {
  const r = run(process.execPath, [
    "--import",
    "tsx",
    "scripts/protocol-gen/generate.ts",
    "--check",
  ]);
  assert.equal(r.status, 0, r.output.slice(-4000));
  assert.match(r.output, /up to date/);
});
