/**
 * Writes docs/compatibility.md from the interop matrix's results files
 * (compatibility-doc.ts renders it). scripts/run-tests.mjs runs it after a test run
 * that included the whole matrix.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/broker-process.js";
import { loadResults, render } from "./compatibility-doc.js";

await writeFile(join(REPO_ROOT, "docs/compatibility.md"), render(await loadResults()));
