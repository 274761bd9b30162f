/** The printed tables and the goals, checked against a run's summary. */
import type { Footprint } from "./footprint.js";

interface Figure {
  ceiling: number;
  logbook: number;
  ratio: number;
}

export interface Summary {
  meta: { rounds: number; quick: boolean; loadAverageBefore: number[]; loadAverageAfter: number[] };
  footprint: Footprint & { peakRssUnderLoadBytes: Record<string, number> };
  cells: {
    group: string;
    label: string;
    params: Record<string, number | string>;
    figures: Record<string, Figure>;
  }[];
}

export interface Goal {
  goal: string;
  target: string;
  measured: string;
  met: boolean;
}

function cell(s: Summary, group: string, match: Record<string, number | string>) {
  return s.cells.find(
    (c) => c.group === group && Object.entries(match).every(([k, v]) => c.params[k] === v),
  );
}

const MB = 1024 * 1024;

export function evaluateGoals(s: Summary): Goal[] {
  const goals: Goal[] = [];
  const ratioGoal = (
    goal: string,
    group: string,
    match: Record<string, number | string>,
    min: number,
  ): void => {
    const c = cell(s, group, match);
    const ratio = c?.figures.recordsPerSec?.ratio ?? Number.NaN;
    goals.push({
      goal,
      target: `>= ${min} x ceiling`,
      measured: `${ratio.toFixed(2)} x ceiling`,
      met: ratio >= min,
    });
  };
  const produce = "librdkafka produce";
  ratioGoal(
    "produce, librdkafka, acks=1, 1 partition, 100 B",
    produce,
    { size: 100, partitions: 1, acks: "1" },
    0.7,
  );
  ratioGoal(
    "produce, librdkafka, acks=1, 1 partition, 1 KiB",
    produce,
    { size: 1024, partitions: 1, acks: "1" },
    0.85,
  );
  ratioGoal(
    "produce, librdkafka, acks=1, 1 partition, 16 KiB",
    produce,
    { size: 16384, partitions: 1, acks: "1" },
    0.85,
  );
  for (const size of [100, 1024, 16384])
    ratioGoal(
      `consume from earliest, librdkafka, ${size} B`,
      "librdkafka consume from earliest",
      { size },
      0.9,
    );
  for (const [rate, maxMs] of [
    [1000, 3],
    [20000, 10],
  ] as const) {
    const p99 =
      cell(s, "librdkafka end-to-end latency", { rate })?.figures.p99Ms?.logbook ?? Number.NaN;
    goals.push({
      goal: `end-to-end p99, ${rate} rec/s of 1 KiB`,
      target: `<= ${maxMs} ms`,
      measured: `${p99.toFixed(2)} ms`,
      met: p99 <= maxMs,
    });
  }
  const startup = s.footprint.startupMs.logbook;
  goals.push({
    goal: "start-up to first answered request",
    target: "<= 100 ms",
    measured: `${startup.toFixed(0)} ms`,
    met: startup <= 100,
  });
  const idle = s.footprint.idleRssBytes.logbook / MB;
  goals.push({
    goal: "idle RSS",
    target: "<= 50 MB",
    measured: `${idle.toFixed(1)} MB`,
    met: idle <= 50,
  });
  return goals;
}

function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows
    .map((r) =>
      r.map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join("  "),
    )
    .join("\n");
}

const n = (v: number, digits = 0): string =>
  Number.isFinite(v)
    ? v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : "-";

export function printReport(s: Summary & { goals: Goal[] }): void {
  const out: string[] = [];
  out.push(
    `\n${s.meta.rounds} round(s)${s.meta.quick ? " (quick)" : ""}; medians over rounds; ratio = Logbook / ceiling in the same round.`,
  );
  out.push(
    `load average before ${s.meta.loadAverageBefore.join(" ")}, after ${s.meta.loadAverageAfter.join(" ")}`,
  );
  for (const group of [...new Set(s.cells.map((c) => c.group))]) {
    const cells = s.cells.filter((c) => c.group === group);
    out.push(`\n${group}`);
    if (group.includes("latency")) {
      const rows = [
        ["", "ceiling p50", "p99", "p99.9", "logbook p50", "p99", "p99.9", "p99 x ceiling"],
      ];
      for (const c of cells) {
        const f = c.figures;
        rows.push([
          c.label,
          `${n(f.p50Ms?.ceiling ?? Number.NaN, 2)} ms`,
          `${n(f.p99Ms?.ceiling ?? Number.NaN, 2)} ms`,
          `${n(f.p999Ms?.ceiling ?? Number.NaN, 2)} ms`,
          `${n(f.p50Ms?.logbook ?? Number.NaN, 2)} ms`,
          `${n(f.p99Ms?.logbook ?? Number.NaN, 2)} ms`,
          `${n(f.p999Ms?.logbook ?? Number.NaN, 2)} ms`,
          n(f.p99Ms?.ratio ?? Number.NaN, 2),
        ]);
      }
      out.push(table(rows));
    } else {
      const rows = [["", "ceiling rec/s", "MB/s", "logbook rec/s", "MB/s", "ratio"]];
      for (const c of cells) {
        const r = c.figures.recordsPerSec;
        const m = c.figures.mbPerSec;
        rows.push([
          c.label,
          n(r?.ceiling ?? Number.NaN),
          n(m?.ceiling ?? Number.NaN, 1),
          n(r?.logbook ?? Number.NaN),
          n(m?.logbook ?? Number.NaN, 1),
          n(r?.ratio ?? Number.NaN, 2),
        ]);
      }
      out.push(table(rows));
    }
  }
  const f = s.footprint;
  out.push("\nfootprint");
  out.push(
    table([
      ["", "logbook", "beside"],
      [
        "start-up to first answered request (median)",
        `${n(f.startupMs.logbook)} ms`,
        `${n(f.startupMs.bareNodeServer)} ms (bare node net server)`,
      ],
      [
        "CPU time used by then (median)",
        `${n(f.startupCpuMs.logbook)} ms`,
        `${n(f.startupCpuMs.bareNodeServer)} ms (bare node net server)`,
      ],
      [
        "idle RSS",
        `${n(f.idleRssBytes.logbook / MB, 1)} MB`,
        `${n(f.idleRssBytes.emptyNode / MB, 1)} MB (empty node process)`,
      ],
      [
        "peak RSS under load",
        `${n((f.peakRssUnderLoadBytes.logbook ?? Number.NaN) / MB, 1)} MB`,
        `${n((f.peakRssUnderLoadBytes.ceiling ?? Number.NaN) / MB, 1)} MB (ceiling)`,
      ],
    ]),
  );
  out.push("\ngoals");
  out.push(
    table([
      ["", "target", "measured", ""],
      ...s.goals.map((g) => [g.goal, g.target, g.measured, g.met ? "met" : "MISSED"]),
    ]),
  );
  process.stdout.write(`${out.join("\n")}\n`);
}
