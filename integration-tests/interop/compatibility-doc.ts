/**
 * The text of docs/compatibility.md from the interop matrix's results
 * (integration-tests/interop/.results/<client>.json, written by each client's test file).
 * A client with no results file (never run here) is left out; the text is deterministic
 * (no dates) so an unchanged result leaves the committed document unchanged.
 *
 * Each cell shows the result against Logbook and, beside it, against the reference
 * Kafka; the differences between the two are listed below the table, classified.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type CellResult,
  type CellResults,
  type ClientResults,
  RESULTS_DIR,
  SCENARIOS,
  type ScenarioId,
  title,
} from "./matrix.js";
import { TARGETS, type TargetName } from "./targets.js";

/** Column order; results files of other names follow in name order. */
const CLIENT_ORDER = [
  "kafka-clients-4.4.0",
  "kafka-clients-3.9.1",
  "kafkajs",
  "confluent-kafka-python",
  "confluent-kafka (PyPI)",
  "kcat",
  "kafka-python",
  "kafka-python (PyPI)",
  "franz-go",
  "sarama",
  "platformatic",
];

const MARK: Record<CellResult["status"], string> = {
  pass: "pass",
  fail: "**FAIL**",
  "known failure": "fails",
  "not supported": "n/s",
  "not run": "not run",
};

const LABEL: Record<CellResult["status"], string> = {
  pass: "",
  fail: "failed",
  "known failure": "fails, client limitation",
  "not supported": "not supported",
  "not run": "",
};

export async function loadResults(): Promise<ClientResults[]> {
  const names = (await readdir(RESULTS_DIR).catch(() => [] as string[])).filter((n) =>
    n.endsWith(".json"),
  );
  const all = await Promise.all(
    names.map(
      async (n) => JSON.parse(await readFile(join(RESULTS_DIR, n), "utf8")) as ClientResults,
    ),
  );
  const rank = (c: string) => {
    const i = CLIENT_ORDER.indexOf(c);
    return i < 0 ? CLIENT_ORDER.length : i;
  };
  return all.sort((a, b) => rank(a.client) - rank(b.client) || a.client.localeCompare(b.client));
}

const tableText = (s: string) => s.replaceAll("|", "\\|").replaceAll("\n", " ");

const NOT_RUN: CellResult = { status: "not run" };
/** A cell; a results file from before the Kafka runs (one result per cell) is Logbook's. */
function cellOf(c: ClientResults, id: ScenarioId): CellResults {
  const cell: CellResults | CellResult | undefined = c.cells[id];
  if (cell === undefined) return { logbook: NOT_RUN, kafka: NOT_RUN };
  if ("logbook" in cell) return cell;
  return { logbook: cell, kafka: NOT_RUN };
}

const ok = (r: CellResult) => r.status === "pass" || r.status === "not supported";

/** How the two results of a cell relate, or undefined when they agree. */
export function difference(cell: CellResults): string | undefined {
  const { logbook, kafka } = cell;
  if (logbook.status === "not run" || kafka.status === "not run") return undefined;
  if (!ok(logbook) && ok(kafka)) return "fails only on Logbook: a Logbook bug";
  if (ok(logbook) && !ok(kafka)) return "fails only on Kafka";
  if (logbook.status !== kafka.status) return "both fail, differently";
  return undefined;
}

export function render(clients: ClientResults[]): string {
  const kafkaVersion = clients[0]?.kafkaVersion ?? "?";
  const targetName: Record<TargetName, string> = {
    logbook: "Logbook",
    kafka: `Kafka ${kafkaVersion}`,
  };
  const notes: string[] = [];
  const footnote = (text: string): string => {
    // One note per distinct text: the same caveat on several cells is listed once.
    const at = notes.indexOf(text);
    if (at >= 0) return ` [${at + 1}]`;
    notes.push(text);
    return ` [${notes.length}]`;
  };
  const noteText = (client: string, r: CellResult, on?: TargetName) => {
    const where = on === undefined ? "" : ` on ${targetName[on]}`;
    const label = LABEL[r.status];
    return `${client}${where}${label ? ` (${label})` : ""}: ${r.note}`;
  };
  const render1 = (client: string, cell: CellResults): string => {
    const { logbook, kafka } = cell;
    const hasNote = (r: CellResult) => r.note !== undefined && r.note !== "";
    if (logbook.status === kafka.status && logbook.note === kafka.note)
      return `${MARK[logbook.status]} / ${MARK[kafka.status]}${hasNote(logbook) ? footnote(noteText(client, logbook)) : ""}`;
    const part = (t: TargetName) => {
      const r = cell[t];
      return `${MARK[r.status]}${hasNote(r) ? footnote(noteText(client, r, t)) : ""}`;
    };
    return TARGETS.map(part).join(" / ");
  };

  const header = `| Scenario | ${clients.map((c) => c.client).join(" | ")} |`;
  const rule = `|---|${clients.map(() => "---").join("|")}|`;
  const rows = SCENARIOS.map(
    (s) =>
      `| ${title(s.id)} | ${clients.map((c) => render1(c.client, cellOf(c, s.id))).join(" | ")} |`,
  );
  const failing = (t: TargetName) =>
    clients.flatMap((c) =>
      SCENARIOS.filter((s) => cellOf(c, s.id)[t].status === "fail").map(
        (s) => `${c.client}/${s.id}`,
      ),
    );
  const differences = clients.flatMap((c) =>
    SCENARIOS.flatMap((s) => {
      const d = difference(cellOf(c, s.id));
      return d === undefined ? [] : [`- ${c.client} / ${title(s.id)}: ${d}.`];
    }),
  );
  const limitations = clients.flatMap((c) =>
    SCENARIOS.flatMap((s) => {
      const cell = cellOf(c, s.id);
      const on = TARGETS.filter((t) => cell[t].status === "known failure");
      return on.length === 0
        ? []
        : [`- ${c.client} / ${title(s.id)}: on ${on.map((t) => targetName[t]).join(" and ")}.`];
    }),
  );
  const failingLogbook = failing("logbook");
  const failingKafka = failing("kafka");
  return [
    "# Client compatibility",
    "",
    "Generated by `integration-tests/interop/write-compatibility.ts` from the last run of the",
    "interop matrix (`integration-tests/interop/*.test.ts`, part of `pnpm test`); do not edit",
    "by hand. Each client runs every scenario against its own `logbook start` process and,",
    `as the reference, against Apache Kafka ${kafkaVersion} (a single KRaft node started by the`,
    "same test file), each run a separate test. A cell reads **Logbook / Kafka**: **pass**,",
    "**FAIL**, **fails** (a client limitation: the client fails this way as declared, and the",
    "test checks that it does), or **n/s** when the client itself cannot do it on any broker",
    "(the reason is in the notes). A cell that fails only against Logbook is a Logbook bug;",
    "one that fails against Kafka too is the client's. Scenario details:",
    "`integration-tests/interop/scenarios.ts`.",
    "",
    "## Clients",
    "",
    "| Column | Version (as reported by the client) |",
    "|---|---|",
    ...clients.map((c) => `| ${c.client} | ${tableText(c.version)} |`),
    "",
    "## Results (Logbook / Kafka)",
    "",
    header,
    rule,
    ...rows,
    "",
    failingLogbook.length === 0 && failingKafka.length === 0
      ? "No unexpected failure: every scenario a client supports passes, or fails as declared."
      : [
          failingLogbook.length > 0 ? `Failing on Logbook: ${failingLogbook.join(", ")}.` : "",
          failingKafka.length > 0 ? `Failing on Kafka: ${failingKafka.join(", ")}.` : "",
        ]
          .filter((x) => x !== "")
          .join(" "),
    "",
    "## Where Logbook and Kafka differ",
    "",
    ...(differences.length === 0
      ? ["Nowhere: every cell has the same outcome on both."]
      : differences),
    "",
    "## Client limitations (failing as declared)",
    "",
    ...(limitations.length === 0 ? ["None."] : limitations),
    "",
    "## Notes",
    "",
    ...(notes.length === 0 ? ["None."] : notes.map((n, i) => `${i + 1}. ${tableText(n)}`)),
    "",
  ].join("\n");
}
