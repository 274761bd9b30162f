/**
 * The README's settings table, generated from the schema. A test compares it with the
 * README; `npx tsx scripts/write-readme-settings.ts` rewrites the README's copy.
 */
import { BROKER_SETTINGS, envVarName } from "./schema.js";

export const TABLE_START = "<!-- settings table: generated from packages/broker/src/config -->";
export const TABLE_END = "<!-- end of settings table -->";

function cell(s: string): string {
  return s.replaceAll("|", "\\|");
}

export function renderSettingsTable(): string {
  const rows = BROKER_SETTINGS.map(
    (s) =>
      `| \`${s.name}\` | \`${envVarName(s.name)}\` | \`${s.flag ?? `-o ${s.name}=…`}\` | ${cell(s.defaultText === "" ? "(empty)" : s.defaultText)} | ${s.importance} | ${cell(s.doc)} |`,
  );
  return [
    TABLE_START,
    "| property | environment variable | CLI flag | default | importance | meaning |",
    "|---|---|---|---|---|---|",
    ...rows,
    TABLE_END,
  ].join("\n");
}

/** The README with its generated table replaced; throws when the markers are missing. */
export function withSettingsTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error("README: settings table markers not found");
  return readme.slice(0, start) + renderSettingsTable() + readme.slice(end + TABLE_END.length);
}
