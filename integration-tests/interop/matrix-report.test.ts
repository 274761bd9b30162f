/**
 * How the matrix judges a run (judge), how docs/compatibility.md shows the two targets
 * of a cell (render), on made-up results, and the cluster ids the reference Kafka is
 * formatted with: no broker needed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { render } from "./compatibility-doc.js";
import {
  type CellResults,
  type ClientResults,
  judge,
  type KnownFailure,
  SCENARIOS,
  type ScenarioId,
} from "./matrix.js";
import { clusterId } from "./targets.js";

const limitation: KnownFailure = {
  reason: "the client speaks Fetch v3, which Kafka 4 removed",
  error: /UNSUPPORTED_VERSION/,
  on: ["kafka"],
};

test("judge: a run that throws fails its cell and its test", () => {
  const error = new Error("boom\nstack");
  const v = judge({ threw: true, error }, undefined);
  assert.deepEqual(v.result, { status: "fail", note: "boom" });
  assert.equal(v.failure, error);
  assert.deepEqual(judge({ threw: false }, undefined, "how"), {
    result: { status: "pass", note: "how" },
  });
});

test("judge: a declared client failure passes only when the client fails that way", () => {
  const asDeclared = judge(
    { threw: true, error: new Error("UNSUPPORTED_VERSION (35)") },
    limitation,
  );
  assert.equal(asDeclared.failure, undefined);
  assert.equal(asDeclared.result.status, "known failure");
  assert.match(asDeclared.result.note ?? "", /Fetch v3.*UNSUPPORTED_VERSION \(35\)/);

  const otherwise = judge({ threw: true, error: new Error("timed out") }, limitation);
  assert.deepEqual(otherwise.result, { status: "fail", note: "timed out" });
  assert.ok(otherwise.failure instanceof assert.AssertionError);

  const fixed = judge({ threw: false }, limitation);
  assert.equal(fixed.result.status, "pass");
  assert.ok(fixed.failure instanceof assert.AssertionError, "a client that stops failing is news");
});

function client(name: string, cells: Partial<Record<ScenarioId, CellResults>>): ClientResults {
  const pass: CellResults = { logbook: { status: "pass" }, kafka: { status: "pass" } };
  return {
    client: name,
    version: `${name} 1.0`,
    kafkaVersion: "4.4.0",
    cells: Object.fromEntries(SCENARIOS.map((s) => [s.id, cells[s.id] ?? pass])) as Record<
      ScenarioId,
      CellResults
    >,
  };
}

test("render: each cell shows Logbook / Kafka, and the differences are classified", () => {
  const doc = render([
    client("alpha", {
      metadata: { logbook: { status: "fail", note: "no brokers" }, kafka: { status: "pass" } },
      "codec-zstd": {
        logbook: { status: "pass" },
        kafka: { status: "known failure", note: "Fetch v3 removed" },
      },
      group: {
        logbook: { status: "pass", note: "guard" },
        kafka: { status: "pass", note: "guard" },
      },
    }),
    client("beta", {}),
  ]);
  const row = (title: string) => doc.split("\n").find((l) => l.startsWith(`| ${title} |`));
  assert.equal(
    row("Metadata and broker list"),
    "| Metadata and broker list | **FAIL** [1] / pass | pass / pass |",
  );
  assert.equal(row("compression: zstd"), "| compression: zstd | pass / fails [2] | pass / pass |");
  assert.equal(
    row("Consumer group: rebalance, commit, resume"),
    "| Consumer group: rebalance, commit, resume | pass / pass [3] | pass / pass |",
  );
  assert.match(doc, /^1\. alpha on Logbook \(failed\): no brokers$/m);
  assert.match(doc, /^2\. alpha on Kafka 4\.4\.0 \(fails, client limitation\): Fetch v3 removed$/m);
  assert.match(doc, /^3\. alpha: guard$/m, "the same note on both targets is one note");
  assert.match(
    doc,
    /^- alpha \/ Metadata and broker list: fails only on Logbook: a Logbook bug\.$/m,
  );
  assert.match(doc, /^- alpha \/ compression: zstd: fails only on Kafka\.$/m);
  assert.match(doc, /^- alpha \/ compression: zstd: on Kafka 4\.4\.0\.$/m);
  assert.match(doc, /^Failing on Logbook: alpha\/metadata\.$/m);
  assert.doesNotMatch(doc, /beta \//, "a column with no differences is not listed");
});

test("render: a results file from before the Kafka runs shows Kafka as not run", () => {
  const legacy = client("old", {}) as unknown as { cells: Record<string, unknown> };
  legacy.cells.metadata = { status: "pass" };
  const doc = render([legacy as unknown as ClientResults]);
  assert.match(doc, /^\| Metadata and broker list \| pass \/ not run \|$/m);
});

test("Kafka's cluster ids never start with '-' (kafka-storage would read one as an option)", () => {
  // One random id in 64 starts with "-"; 5000 draws all but guarantee some would.
  for (let i = 0; i < 5000; i++) {
    const id = clusterId();
    assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  }
});
