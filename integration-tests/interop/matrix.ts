/**
 * The interop matrix: one row per scenario, one column per client. Each client's test
 * file runs every scenario as its own node:test subtest through `Matrix.cell` (or marks
 * it `notSupported` with the reason) and saves what happened to
 * integration-tests/interop/.results/<client>.json, from which
 * write-compatibility.ts renders docs/compatibility.md once the test run is over.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../helpers/broker-process.js";

export const SCENARIOS = [
  { id: "metadata", title: "Metadata and broker list" },
  { id: "topic-admin", title: "Create and delete a topic" },
  {
    id: "keyed-headers",
    title: "Keyed produce/consume with headers (order per partition, same key → same partition)",
  },
  { id: "codec-gzip", title: "gzip" },
  { id: "codec-snappy", title: "snappy" },
  { id: "codec-lz4", title: "lz4" },
  { id: "codec-zstd", title: "zstd" },
  { id: "group", title: "Consumer group: rebalance, commit, resume" },
  { id: "offsets-by-time", title: "ListOffsets by timestamp, then seek" },
  { id: "idempotent", title: "Idempotent producer" },
  { id: "transactions", title: "Transactions with a read_committed reader" },
  { id: "large-record", title: "A ~1 MB record" },
  { id: "compacted", title: "Compacted topic with tombstones (null values)" },
] as const;

export type ScenarioId = (typeof SCENARIOS)[number]["id"];
export type CellStatus = "pass" | "fail" | "not supported" | "not run";

export interface CellResult {
  status: CellStatus;
  /** Why a cell is not supported, how it passed (a caveat), or the failure's message. */
  note?: string;
}

export interface ClientResults {
  client: string;
  /** Library and version as the client itself reports them. */
  version: string;
  cells: Record<ScenarioId, CellResult>;
}

export const RESULTS_DIR = join(REPO_ROOT, "integration-tests/interop/.results");

/** The first line of an error, short enough for a table footnote. */
function summary(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const line = text.split("\n").find((l) => l.trim() !== "") ?? text;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

export class Matrix {
  version = "unknown";
  private readonly cells = new Map<ScenarioId, CellResult>();

  /** `client` is the results file name and the table's column heading. */
  constructor(readonly client: string) {}

  /** Runs `body` as the subtest for `id`; a throw fails the test and the cell. */
  cell(id: ScenarioId, body: () => Promise<void>, caveat?: string): void {
    test(`${this.client}: ${title(id)}`, async () => {
      try {
        await body();
      } catch (e) {
        this.cells.set(id, { status: "fail", note: summary(e) });
        throw e;
      }
      this.cells.set(
        id,
        caveat === undefined ? { status: "pass" } : { status: "pass", note: caveat },
      );
    });
  }

  /**
   * A scenario the client cannot do. Not skipped: the subtest runs `probe`, which shows
   * the client refusing (an unknown option, a missing mode), so the cell turns into a
   * failure to look at should a client version gain the feature.
   */
  notSupported(id: ScenarioId, reason: string, probe: () => Promise<void>): void {
    test(`${this.client}: ${title(id)} (not supported, checked)`, async () => {
      try {
        await probe();
      } catch (e) {
        this.cells.set(id, { status: "fail", note: `probe: ${summary(e)}` });
        throw e;
      }
      this.cells.set(id, { status: "not supported", note: reason });
    });
  }

  /** Writes the results file; call it from `after`. */
  async save(): Promise<void> {
    const cells = Object.fromEntries(
      SCENARIOS.map((s) => [s.id, this.cells.get(s.id) ?? { status: "not run" }]),
    ) as Record<ScenarioId, CellResult>;
    const results: ClientResults = { client: this.client, version: this.version, cells };
    await mkdir(RESULTS_DIR, { recursive: true });
    await writeFile(
      join(RESULTS_DIR, `${this.client}.json`),
      `${JSON.stringify(results, null, 2)}\n`,
    );
  }
}

export function title(id: ScenarioId): string {
  const s = SCENARIOS.find((x) => x.id === id);
  return s?.id.startsWith("codec-") ? `compression: ${s.title}` : (s?.title ?? id);
}
