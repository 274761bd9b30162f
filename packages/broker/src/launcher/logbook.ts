#!/usr/bin/env node
/**
 * `logbook` as installed: bundle/logbook.js, built from this file by
 * scripts/bundle-cli.mjs, runs the bundled CLI (bundle/main.cjs) through V8's code cache.
 * The first start compiles the bundle as a plain script; the broker then has the launcher
 * write what V8 compiled by a moment after start-up (codeCacheHook().flush()), and later
 * starts deserialize that instead of parsing and compiling the start path again
 * (docs/performance.md, "Start-up and footprint"). Node 20 has no compile cache of its
 * own; Node 22's would serve as well, but one path on every version is one path to test.
 *
 * main.cjs is a CommonJS module body that carries its own function wrapper, so the
 * launcher compiles the file's text as it is (no copy) and calls the function the way
 * Node's CommonJS loader would. Its first line names the SHA-256 of the rest, which keys
 * the cache file: a rebuilt bundle never meets the cache of another.
 */
import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { codeCacheDir, codeCacheFile } from "./code-cache-file.js";
import { type CodeCacheState, installCodeCacheHook } from "./code-cache-hook.js";

type ModuleBody = (
  exports: object,
  require: NodeJS.Require,
  module: { exports: object },
  filename: string,
  dirname: string,
) => void;

const MAIN = fileURLToPath(new URL("./main.cjs", import.meta.url));
const DIGEST_LINE = /^\/\/ logbook-bundle ([0-9a-f]{64})\n/;

// Latin-1 is exact (esbuild writes ASCII) and, above about 1 MB, gives V8 an external
// string: the source is not copied onto the heap.
const fd = openSync(MAIN, "r");
const { size, mtimeMs } = fstatSync(fd);
const source = readFileSync(fd, "latin1");
closeSync(fd);
const digest = DIGEST_LINE.exec(source.slice(0, 100))?.[1];
const dir = digest === undefined ? undefined : codeCacheDir();
const file =
  dir === undefined || digest === undefined
    ? undefined
    : codeCacheFile(dir, { digest, size, mtimeMs });
const cachedData = file?.read();

// No importModuleDynamically: V8 does not keep it in the code cache, so the bundle has no
// import() (scripts/bundle-cli.mjs turns them into require()).
const script = new vm.Script(source, { filename: MAIN, cachedData });
const state: CodeCacheState =
  file === undefined
    ? "off"
    : cachedData === undefined
      ? "none"
      : script.cachedDataRejected === true
        ? "rejected"
        : "used";
// V8 is done with the cached data once the script is compiled. Its buffer, by then old
// enough to have left the young generation, would stay resident until the first full GC
// (about 10 s after start-up, when V8's memory reducer runs); moving its memory into a
// fresh object that dies at the next scavenge (start-up itself soon runs one) returns it.
// (A buffer that cannot be moved only keeps its memory until then.)
try {
  const memory = cachedData?.buffer;
  if (memory instanceof ArrayBuffer) structuredClone(memory, { transfer: [memory] });
} catch {}
installCodeCacheHook({
  state,
  flush() {
    if (file === undefined || state === "used") return undefined;
    try {
      file.write(script.createCachedData());
      return undefined;
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
  },
});

const body = script.runInThisContext() as ModuleBody;
const mod = { exports: {} };
body.call(mod.exports, mod.exports, createRequire(MAIN), mod, MAIN, dirname(MAIN));
