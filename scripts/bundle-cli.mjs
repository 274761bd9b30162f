#!/usr/bin/env node
// Bundles the `logbook` CLI (packages/broker/src/cli.ts and the workspace sources it
// reaches) into packages/broker/bundle with esbuild:
//   main.cjs    the whole CLI as one CommonJS script; what only some starts need (the
//               client commands, Prometheus metrics, PostgreSQL, OAuth) is in it but runs
//               only on first use
//   logbook.js  the launcher (packages/broker/src/launcher/logbook.ts), what `logbook`
//               runs: main.cjs through V8's code cache
// Start-up then reads one file instead of resolving and linking some 500 modules, and from
// the second start on deserializes the start path's compiled code instead of parsing and
// compiling it (docs/performance.md, "Start-up and footprint").
//
//   node scripts/bundle-cli.mjs [--metafile FILE]
//
// It bundles from the TypeScript sources (the logbook-source export condition), so it
// does not depend on tsc's output, except for what stays external (below).
//
// CommonJS, not ESM: Node 20 keeps a code cache only for a classic script (vm.Script), and
// one file, not split chunks: a chunk loaded by Node's own loader would be compiled
// without the cache.
import { createHash } from "node:crypto";
import { chmod, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const outdir = `${root}packages/broker/bundle`;

/**
 * Left to Node's resolver, from packages/broker (so each is a dependency of
 * @logbook/broker): native addons and wasm found relative to their own package, and the
 * PostgreSQL driver (CommonJS with optional native parts). The protocol package also loads
 * its compression and CRC-32 libraries through createRequire, which esbuild leaves alone.
 */
const EXTERNAL = ["@node-rs/crc32", "fs-native-extensions", "pg"];

const COMMON = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  conditions: ["logbook-source"],
  // Whitespace and syntax only: identifiers stay readable in stack traces and logs (and
  // minified names with keepNames measured a larger idle RSS, not a smaller one).
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "none",
  // The sources are ES modules; in CommonJS each file's own URL comes from __filename.
  define: { "import.meta.url": "__logbookModuleUrl" },
  banner: {
    js: '"use strict";var __logbookModuleUrl=require("node:url").pathToFileURL(__filename).href;',
  },
  logLevel: "warning",
};

/**
 * main.cjs carries the function wrapper Node's CommonJS loader would add, so that the
 * launcher compiles the file's text as it is, and a first line with the SHA-256 of the
 * rest, which keys the code cache.
 */
function asLauncherScript(code) {
  const body = `(function (exports, require, module, __filename, __dirname) {${code}\n})`;
  const digest = createHash("sha256").update(body).digest("hex");
  return `// logbook-bundle ${digest}\n${body}`;
}

export async function bundleCli({ metafile } = {}) {
  // Built beside the old bundle and swapped in, so that a broker or test starting
  // meanwhile never finds the file half written or missing for long.
  const fresh = `${outdir}.new-${process.pid}`;
  await rm(fresh, { recursive: true, force: true });
  const main = await build({
    ...COMMON,
    entryPoints: [`${root}packages/broker/src/cli.ts`],
    external: EXTERNAL,
    // import() becomes require(): V8 keeps a script's dynamic-import callback out of its
    // code cache, so an import() in a script compiled from the cache fails ("A dynamic
    // import callback was not specified"). What the bundle loads on first use it loads
    // with require(), which is why nothing external may be an ES module.
    supported: { "dynamic-import": false },
    metafile: metafile !== undefined,
    write: false,
  });
  const [out] = main.outputFiles;
  if (/\bimport\(/.test(out.text)) throw new Error("the bundle still has an import(): see above");
  await mkdir(fresh, { recursive: true });
  await writeFile(`${fresh}/main.cjs`, asLauncherScript(out.text.replace(/^#!.*\n/, "")));
  await build({
    ...COMMON,
    entryPoints: [`${root}packages/broker/src/launcher/logbook.ts`],
    outfile: `${fresh}/logbook.js`,
  });
  await chmod(`${fresh}/logbook.js`, 0o755);
  // packages/broker is "type": "module"; the bundle's .js files are CommonJS.
  await writeFile(`${fresh}/package.json`, '{ "type": "commonjs" }\n');
  const old = `${outdir}.old-${process.pid}`;
  await rename(outdir, old).catch(() => {});
  await rename(fresh, outdir);
  await rm(old, { recursive: true, force: true });
  if (metafile !== undefined) await writeFile(metafile, JSON.stringify(main.metafile));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf("--metafile");
  await bundleCli({ metafile: i >= 0 ? process.argv[i + 1] : undefined });
}
