import { join } from "node:path";

export const REPO_ROOT = new URL("../../", import.meta.url).pathname;
/** The bundled CLI (scripts/bundle-cli.mjs), what `logbook` and `pnpm start` run. */
export const CLI_PATH = join(REPO_ROOT, "packages/broker/bundle/logbook.js");
export const RESULTS_DIR = join(REPO_ROOT, "bench/results");
