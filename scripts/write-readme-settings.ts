/** Rewrites the settings table of README.md from the config schema (see its test in cli-config). */
import { readFileSync, writeFileSync } from "node:fs";
import { withSettingsTable } from "../packages/broker/src/config/readme-table.js";

const path = new URL("../README.md", import.meta.url);
writeFileSync(path, withSettingsTable(readFileSync(path, "utf8")));
