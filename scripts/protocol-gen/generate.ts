/**
 * Generates packages/protocol/src/generated/ from protocol-specs/.
 *
 *   pnpm generate            write the modules
 *   pnpm generate --check    exit 1 if the committed modules differ from a fresh generation
 *
 * Output is formatted with the repository's formatter (Biome) so it is byte-stable.
 */
import { spawn } from "node:child_process";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { BANNER, emitModule } from "./emit-module.js";
import type { MessageSpec } from "./spec-model.js";
import { loadSpecs } from "./spec-parser.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const SPECS = join(ROOT, "protocol-specs");
const OUT = join(ROOT, "packages/protocol/src/generated");

/** Generated file name (relative to OUT) -> formatted contents. */
export async function generateAll(): Promise<Map<string, string>> {
  const specs = await loadSpecs(SPECS);
  const byFile = new Map<string, MessageSpec[]>();
  for (const m of specs) {
    const list = byFile.get(m.file) ?? [];
    list.push(m);
    byFile.set(m.file, list);
  }
  const files = new Map<string, string>();
  const apis: { module: string; api: string; key: number }[] = [];
  for (const [specFile, messages] of byFile) {
    const module = basename(specFile, ".lbs");
    files.set(`${module}.ts`, emitModule(specFile, messages, ".."));
    const req = messages.find((m) => m.kind === "request");
    if (req?.apiKey !== undefined) apis.push({ module, api: `${req.name}Api`, key: req.apiKey });
  }
  apis.sort((a, b) => a.key - b.key);
  const modules = [...files.keys()].map((f) => basename(f, ".ts")).sort();
  const index = `${BANNER.replace("SPEC", "*")}

import type { ApiCodec } from "../api-codec.js";
${apis.map((a) => `import { ${a.api} } from "./${a.module}.js";`).join("\n")}

${modules.map((m) => `export * from "./${m}.js";`).join("\n")}

/** Every API with a schema, in key order. */
export const apiCodecs: readonly ApiCodec<unknown, unknown>[] = [
  ${apis.map((a) => `${a.api} as ApiCodec<unknown, unknown>`).join(",\n")}
];
`;
  files.set("index.ts", index);
  const formatted = new Map<string, string>();
  await Promise.all(
    [...files].map(async ([name, code]) => {
      formatted.set(name, await format(join(OUT, name), code));
    }),
  );
  return formatted;
}

function format(path: string, code: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      join(ROOT, "node_modules/.bin/biome"),
      ["check", "--write", `--stdin-file-path=${relative(ROOT, path)}`],
      { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0 && out.length > 0) resolve(out);
      else reject(new Error(`biome failed on ${path}:\n${err}\n--- source ---\n${numbered()}`));
    });
    child.stdin.end(code);
  });
  function numbered(): string {
    return code
      .split("\n")
      .map((l, i) => `${i + 1}: ${l}`)
      .join("\n");
  }
}

async function main(): Promise<void> {
  const check = process.argv.includes("--check");
  const files = await generateAll();
  const existing = (await readdir(OUT).catch(() => [] as string[])).filter((f) =>
    f.endsWith(".ts"),
  );
  if (check) {
    const stale: string[] = [];
    for (const [name, code] of files) {
      const current = await readFile(join(OUT, name), "utf8").catch(() => null);
      if (current !== code) stale.push(name);
    }
    for (const f of existing) if (!files.has(f)) stale.push(`${f} (no longer generated)`);
    if (stale.length > 0) {
      console.error(
        `generated code is out of date; run \`pnpm generate\`:\n  ${stale.join("\n  ")}`,
      );
      process.exit(1);
    }
    console.log(`generated code is up to date (${files.size} files)`);
    return;
  }
  for (const f of existing) if (!files.has(f)) await rm(join(OUT, f));
  for (const [name, code] of files) await writeFile(join(OUT, name), code);
  console.log(`wrote ${files.size} files to ${relative(ROOT, OUT)}`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
