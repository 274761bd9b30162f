/**
 * The interop matrix: one row per scenario, one column per client, and in each cell two
 * results: against Logbook and against the reference Apache Kafka (targets.ts). Each
 * client's test file runs every scenario once per target, each run its own node:test
 * test, through `Matrix.cell` (or marks it `notSupported` with the reason) and saves
 * what happened to integration-tests/interop/.results/<client>.json, from which
 * write-compatibility.ts renders docs/compatibility.md once the test run is over.
 *
 * A cell that fails only against Logbook is a Logbook bug. A client that fails against
 * Kafka too is a client limitation: declared as a `KnownFailure`, whose test asserts
 * that the client fails that way (so it stays green while the client does, and turns
 * red when it stops failing or fails differently).
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../helpers/broker-process.js";
import { KAFKA_VERSION } from "../helpers/kafka-process.js";
import { TARGET_LABEL, TARGETS, type TargetName } from "./targets.js";

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
  {
    id: "group-consumer-protocol",
    title: "Consumer group with group.protocol=consumer (KIP-848): rebalance, commit, resume",
  },
  { id: "share-group", title: "Share group (KIP-932): two consumers, accept, release, reject" },
] as const;

export type ScenarioId = (typeof SCENARIOS)[number]["id"];
/** "known failure": the client failed as declared (a client limitation), checked. */
export type CellStatus = "pass" | "fail" | "known failure" | "not supported" | "not run";

export interface CellResult {
  status: CellStatus;
  /** Why a cell is not supported, how it passed (a caveat), or the failure's message. */
  note?: string;
}

/** One cell of the table: what happened against each target. */
export type CellResults = Record<TargetName, CellResult>;

export interface ClientResults {
  client: string;
  /** Library and version as the client itself reports them. */
  version: string;
  /** The reference Kafka's version the "kafka" results come from. */
  kafkaVersion: string;
  cells: Record<ScenarioId, CellResults>;
}

/**
 * A failure of the client itself: against the targets in `on` the scenario must throw an
 * error whose first line matches `error`; `reason` says why (with the evidence).
 */
export interface KnownFailure {
  reason: string;
  error: RegExp;
  on: readonly TargetName[];
}

export interface CellOptions {
  /** How a passing cell passed (a workaround the application needs). */
  caveat?: string;
  knownFailure?: KnownFailure;
}

export const RESULTS_DIR = join(REPO_ROOT, "integration-tests/interop/.results");

/** The first line of an error, short enough for a table footnote. */
export function summary(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const line = text.split("\n").find((l) => l.trim() !== "") ?? text;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** How a scenario's run ended. */
export type Outcome = { threw: false } | { threw: true; error: unknown };

/**
 * A run's cell result, and the error its test fails with (undefined: the test passes).
 * Without an expected failure a throw fails; with one, only the declared error passes.
 */
export function judge(
  outcome: Outcome,
  expected: KnownFailure | undefined,
  caveat?: string,
): { result: CellResult; failure?: unknown } {
  if (expected === undefined) {
    if (outcome.threw)
      return { result: { status: "fail", note: summary(outcome.error) }, failure: outcome.error };
    return { result: caveat === undefined ? { status: "pass" } : { status: "pass", note: caveat } };
  }
  if (!outcome.threw)
    return {
      result: { status: "pass", note: `expected to fail (${expected.reason}) but passed` },
      failure: new assert.AssertionError({
        message: `expected the client to fail: ${expected.reason}`,
      }),
    };
  const line = summary(outcome.error);
  if (!expected.error.test(line))
    return {
      result: { status: "fail", note: line },
      failure: new assert.AssertionError({
        message: `failed otherwise than expected (${expected.error}): ${line}`,
      }),
    };
  return { result: { status: "known failure", note: `${expected.reason} (error: ${line})` } };
}

export class Matrix {
  version = "unknown";
  private readonly cells = new Map<ScenarioId, Partial<CellResults>>();

  /** `client` is the results file name and the table's column heading. */
  constructor(readonly client: string) {}

  private record(id: ScenarioId, target: TargetName, result: CellResult): void {
    this.cells.set(id, { ...this.cells.get(id), [target]: result });
  }

  /**
   * Runs `body` once per target, each as its own test: a throw fails the test and that
   * target's cell, except where `knownFailure` expects it (then not throwing, or
   * throwing something else, fails the test).
   */
  cell(
    id: ScenarioId,
    body: (target: TargetName) => Promise<void>,
    opts: CellOptions | string = {},
  ): void {
    const { caveat, knownFailure } = typeof opts === "string" ? { caveat: opts } : opts;
    for (const target of TARGETS) {
      const expected = knownFailure?.on.includes(target) ? knownFailure : undefined;
      const name = `${this.client}: ${title(id)} [${TARGET_LABEL[target]}]`;
      test(expected ? `${name} (known client failure, checked)` : name, async () => {
        let outcome: Outcome = { threw: false };
        try {
          await body(target);
        } catch (error) {
          outcome = { threw: true, error };
        }
        const verdict = judge(outcome, expected, caveat);
        this.record(id, target, verdict.result);
        if (verdict.failure !== undefined) throw verdict.failure;
      });
    }
  }

  /**
   * A scenario the client cannot do, on any broker. Not skipped: the test runs `probe`,
   * which shows the client refusing (an unknown option, a missing mode) without a
   * broker, so the cell (both targets) turns into a failure to look at should a client
   * version gain the feature.
   */
  notSupported(id: ScenarioId, reason: string, probe: () => Promise<void>): void {
    test(`${this.client}: ${title(id)} (not supported, checked)`, async () => {
      try {
        await probe();
      } catch (e) {
        for (const t of TARGETS)
          this.record(id, t, { status: "fail", note: `probe: ${summary(e)}` });
        throw e;
      }
      for (const t of TARGETS) this.record(id, t, { status: "not supported", note: reason });
    });
  }

  /** Writes the results file; call it from `after`. */
  async save(): Promise<void> {
    const notRun: CellResult = { status: "not run" };
    const cells = Object.fromEntries(
      SCENARIOS.map((s) => {
        const c = this.cells.get(s.id) ?? {};
        return [s.id, { logbook: c.logbook ?? notRun, kafka: c.kafka ?? notRun }];
      }),
    ) as Record<ScenarioId, CellResults>;
    const results: ClientResults = {
      client: this.client,
      version: this.version,
      kafkaVersion: KAFKA_VERSION,
      cells,
    };
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
