import { join } from "node:path";

export const REPO_ROOT = new URL("../../", import.meta.url).pathname;
export const CLI_PATH = join(REPO_ROOT, "packages/broker/dist/cli.js");
export const RESULTS_DIR = join(REPO_ROOT, "bench/results");
