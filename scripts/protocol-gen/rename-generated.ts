/**
 * Codemod: rewrites uses of the generated nested-struct names of before nested-names.ts
 * (the message name then the spec's struct name: `MetadataResponse` + `MetadataResponseTopic`)
 * to today's (`MetadataResponseTopic`) across the code that uses the protocol package.
 *
 *   npx -y pnpm@10.34.8 generate && node --import tsx scripts/protocol-gen/rename-generated.ts \
 *     && npx biome check --write .
 *
 * Both names come from protocol-specs/, so the rename can be re-run at any time (say after
 * merging a branch written against the old names): each old identifier (the type and its
 * create/encode/decode/size/isDefault functions) is replaced only where it is a whole
 * identifier, longest first, in one pass. No new name is an old one, so a second run changes
 * nothing. node_modules, dist and generated directories are skipped.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { nestedStructs } from "./nested-names.js";
import { fullName } from "./spec-model.js";
import { loadSpecs } from "./spec-parser.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const SOURCE_DIRS = ["src", "test", "bench"];
const TOP_DIRS = ["integration-tests", "scripts", "bench"];
const SKIPPED_DIRS = new Set(["node_modules", "dist", "generated"]);
const EXTENSIONS = [".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs", ".md"];
/** What the generator puts before a struct's type name to name its functions. */
const PREFIXES = ["", "create", "encode", "decode", "size", "isDefault"];

/** Old identifier -> new identifier, for every nested struct whose name changed. */
export async function renamesFromSpecs(specDir: string): Promise<Map<string, string>> {
  const pairs: [string, string][] = [];
  for (const msg of await loadSpecs(specDir)) {
    for (const s of nestedStructs(msg)) pairs.push([fullName(msg) + s.name, s.tsName]);
  }
  return renameTable(pairs);
}

/** Expands type renames to the functions named after the types, refusing unsafe tables. */
export function renameTable(typeRenames: [string, string][]): Map<string, string> {
  const table = new Map<string, string>();
  for (const [from, to] of typeRenames) {
    if (from === to) continue;
    for (const p of PREFIXES) {
      const old = p + from;
      const known = table.get(old);
      if (known !== undefined && known !== p + to) {
        throw new Error(`${old} would become both ${known} and ${p + to}`);
      }
      table.set(old, p + to);
    }
  }
  // A new name that is also an old one would be renamed again on the next run.
  for (const to of table.values()) {
    if (table.has(to)) throw new Error(`new name ${to} is also an old name`);
  }
  return table;
}

/** `text` with every whole-identifier occurrence of an old name replaced. */
export function renameIdentifiers(text: string, table: Map<string, string>): string {
  if (table.size === 0) return text;
  const olds = [...table.keys()].sort((a, b) => b.length - a.length || a.localeCompare(b));
  const pattern = new RegExp(`(?<![\\w$])(?:${olds.join("|")})(?![\\w$])`, "g");
  return text.replace(pattern, (old) => table.get(old) ?? old);
}

/** The files the codemod looks at, relative to `root`. */
export async function codeFiles(root: string): Promise<string[]> {
  const dirs = [...TOP_DIRS.map((d) => join(root, d))];
  const packages = await readdir(join(root, "packages"), { withFileTypes: true });
  for (const p of packages) {
    if (p.isDirectory()) for (const d of SOURCE_DIRS) dirs.push(join(root, "packages", p.name, d));
  }
  const out: string[] = [];
  for (const d of dirs) await walk(d, out);
  return out.map((f) => relative(root, f)).sort();
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIPPED_DIRS.has(e.name) && !e.name.startsWith(".")) await walk(path, out);
    } else if (EXTENSIONS.some((x) => e.name.endsWith(x))) {
      out.push(path);
    }
  }
}

async function main(): Promise<void> {
  const table = await renamesFromSpecs(join(ROOT, "protocol-specs"));
  let changed = 0;
  for (const file of await codeFiles(ROOT)) {
    const path = join(ROOT, file);
    const before = await readFile(path, "utf8");
    const after = renameIdentifiers(before, table);
    if (after !== before) {
      await writeFile(path, after);
      changed++;
      console.log(`renamed in ${file}`);
    }
  }
  console.log(`${changed} file(s) changed; ${table.size} old identifiers known`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
