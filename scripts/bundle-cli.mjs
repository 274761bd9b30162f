#!/usr/bin/env node
// Bundles the `logbook` CLI (packages/broker/src/cli.ts and the workspace sources it
// reaches) into packages/broker/bundle/main.js with esbuild: one ESM file for what
// `logbook start` needs to answer its first request, plus chunks for what is loaded on
// first use (the other commands, Prometheus metrics, PostgreSQL, OAuth, per-API
// handlers). Start-up then reads and compiles one file instead of resolving and
// linking some 500 modules (docs/performance.md, "Start-up and footprint").
// bundle/logbook.js, what `logbook` runs, turns on Node's compile cache where Node has
// one (22.1 and later) and then imports main.js: the cache must be on before the
// bundle's module graph is compiled, so it cannot be turned on from inside it.
//
//   node scripts/bundle-cli.mjs [--metafile FILE]
//
// It bundles from the TypeScript sources (the logbook-source export condition), so it
// does not depend on tsc's output, except for what stays external (below).
import { chmod, rename, rm, writeFile } from "node:fs/promises";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const outdir = `${root}packages/broker/bundle`;

/**
 * Left to Node's resolver, from packages/broker (so each is a dependency of
 * @logbook/broker): native addons and wasm found relative to their own package, the
 * PostgreSQL driver (CommonJS with optional native parts), and the web console, which
 * serves files relative to its own module. The protocol package also loads its
 * compression and CRC-32 libraries through createRequire, which esbuild leaves alone.
 */
const EXTERNAL = ["@node-rs/crc32", "fs-native-extensions", "pg", "@logbook/console"];

/**
 * Node 22.1+ keeps the bytecode of the bundle between runs (in NODE_COMPILE_CACHE, else
 * os.tmpdir()/node-compile-cache; NODE_DISABLE_COMPILE_CACHE=1 turns it off), which takes
 * most of the compile time off a start. Older Node has no enableCompileCache: nothing
 * changes there. The default import keeps this file loadable on every version.
 */
const LAUNCHER = `#!/usr/bin/env node
import module from "node:module";
module.enableCompileCache?.();
await import("./main.js");
`;

export async function bundleCli({ metafile } = {}) {
  // Built beside the old bundle and swapped in, so that a broker or test starting
  // meanwhile never finds the file half written or missing for long.
  const fresh = `${outdir}.new-${process.pid}`;
  await rm(fresh, { recursive: true, force: true });
  const result = await build({
    entryPoints: { main: `${root}packages/broker/src/cli.ts` },
    outdir: fresh,
    bundle: true,
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["logbook-source"],
    external: EXTERNAL,
    // Whitespace and syntax only: identifiers stay readable in stack traces and logs.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: "none",
    // CommonJS dependencies (commander, yaml, prom-client) call require() for Node's
    // built-in modules; an ESM file has no require of its own.
    banner: {
      js: 'import { createRequire as __logbookCreateRequire } from "node:module";\nconst require = __logbookCreateRequire(import.meta.url);',
    },
    metafile: metafile !== undefined,
    logLevel: "warning",
  });
  await writeFile(`${fresh}/logbook.js`, LAUNCHER);
  await chmod(`${fresh}/logbook.js`, 0o755);
  const old = `${outdir}.old-${process.pid}`;
  await rename(outdir, old).catch(() => {});
  await rename(fresh, outdir);
  await rm(old, { recursive: true, force: true });
  if (metafile !== undefined) await writeFile(metafile, JSON.stringify(result.metafile));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf("--metafile");
  await bundleCli({ metafile: i >= 0 ? process.argv[i + 1] : undefined });
}
