/**
 * Storage, the coordinators and the data plane reach the file system and time only
 * through the Fs and Clock seams (packages/storage/src/env/), so power loss and timeouts
 * can be simulated deterministically. This check fails when a module in those places
 * calls them directly. The real implementations live in env/; the TCP server, the CLI
 * and the composition root (broker.ts) are the real world's edge and are not checked.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
/** Where the seams must be used; the real implementations (storage/src/env/) are exempt. */
const CHECKED = [
  "packages/storage/src",
  "packages/group-coordinator/src",
  "packages/broker/src/data",
  "packages/broker/src/groups",
  "packages/broker/src/metadata",
  "packages/broker/src/txn",
];
const ENV_DIR = "packages/storage/src/env/";

const FORBIDDEN: readonly { what: string; pattern: RegExp }[] = [
  { what: "Date.now", pattern: /\bDate\.now\b/ },
  // A bare timer function (a Clock's `clock.setTimeout` is what is wanted instead).
  { what: "timer", pattern: /(?<![.\w])(setTimeout|setInterval|clearTimeout|clearInterval)\b/ },
  { what: "node:fs", pattern: /from\s+["'](node:)?fs(\/promises)?["']/ },
  { what: "native fs", pattern: /from\s+["']fs-native-extensions["']/ },
];

/** `file:line: what` for every forbidden use in a module's text. */
function seamViolations(file: string, text: string): string[] {
  const out: string[] = [];
  text.split("\n").forEach((line, i) => {
    for (const f of FORBIDDEN) if (f.pattern.test(line)) out.push(`${file}:${i + 1}: ${f.what}`);
  });
  return out;
}

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(path)));
    else if (e.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

test("storage, coordinators and the data plane use no Date.now, timers or node:fs directly", async () => {
  const violations: string[] = [];
  for (const dir of CHECKED) {
    for (const path of await sources(join(ROOT, dir))) {
      const file = relative(ROOT, path);
      if (file.startsWith(ENV_DIR)) continue;
      violations.push(...seamViolations(file, await readFile(path, "utf8")));
    }
  }
  assert.deepEqual(violations, [], "use the Fs and Clock seams (storage/src/env/) instead");
});

test("the check catches each kind of direct use and lets the seams through", () => {
  const bad = [
    'import { open } from "node:fs/promises";',
    'import { readFileSync } from "fs";',
    "const t = Date.now();",
    "const h = setInterval(tick, 10);",
    'import { setTimeout as sleep } from "node:timers/promises";',
    'import { tryLock } from "fs-native-extensions";',
  ];
  assert.equal(seamViolations("x.ts", bad.join("\n")).length, bad.length);
  const good = [
    "const t = this.clock.now();",
    "const h = clock.setTimeout(tick, 10);",
    "clock.clearTimeout(h);",
    'import type { Fs } from "../env/fs.js";',
  ];
  assert.deepEqual(seamViolations("y.ts", good.join("\n")), []);
});
