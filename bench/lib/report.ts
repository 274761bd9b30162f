/** The printed tables and the goals, checked against a run's summary. */
import { type CellSummary, type Figure, GROUPS, kindOf } from "./cells.js";
import type { Footprint } from "./footprint.js";
import { type Machine, machineLine } from "./machine.js";

export interface Summary {
  meta: {
    rounds: number;
    quick: boolean;
    loadAverageBefore: number[];
    loadAverageAfter: number[];
    machine: Machine;
    /** The servers that ran; one that failed to start is missing. */
    servers: string[];
  };
  footprint: Footprint & { peakRssUnderLoadBytes: Record<string, number> };
  cells: CellSummary[];
}

export interface Goal {
  goal: string;
  target: string;
  measured: string;
  met: boolean;
  /** "kafka": a row of "Logbook at or above Kafka on every row". */
  versus?: "kafka";
}

function cell(s: Summary, group: string, match: Record<string, number | string>) {
  return s.cells.find(
    (c) => c.group === group && Object.entries(match).every(([k, v]) => c.params[k] === v),
  );
}

const MB = 1024 * 1024;

/**
 * "Logbook at or above Kafka" per row: throughput and the sustained OMB rate at least
 * Kafka's, end-to-end p99 at most Kafka's. The kafkajs rows are left out: there the
 * client is the bottleneck.
 */
function kafkaGoals(s: Summary): Goal[] {
  const goals: Goal[] = [];
  for (const c of s.cells) {
    if (c.group === GROUPS.kafkajsProduce || c.group === GROUPS.kafkajsConsume) continue;
    const kind = kindOf(c.group);
    const field = kind === "latency" ? "p99Ms" : kind === "omb" ? "sustainedRate" : "recordsPerSec";
    const ratio = c.figures[field]?.kafkaRatio ?? Number.NaN;
    const latency = kind === "latency";
    goals.push({
      goal: `${c.group}: ${c.label}`,
      target: latency ? "p99 <= Kafka's" : ">= Kafka",
      measured: `${ratio.toFixed(2)} x Kafka${latency ? " (p99)" : ""}`,
      met: latency ? ratio <= 1 : ratio >= 1,
      versus: "kafka",
    });
  }
  return goals;
}

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
  const one = { partitions: 1, acks: "1" };
  ratioGoal(
    "produce, librdkafka, acks=1, 1 partition, 100 B",
    GROUPS.produce,
    { size: 100, ...one },
    0.7,
  );
  ratioGoal(
    "produce, librdkafka, acks=1, 1 partition, 1 KiB",
    GROUPS.produce,
    { size: 1024, ...one },
    0.85,
  );
  ratioGoal(
    "produce, librdkafka, acks=1, 1 partition, 16 KiB",
    GROUPS.produce,
    { size: 16384, ...one },
    0.85,
  );
  for (const size of [100, 1024, 16384])
    ratioGoal(
      `consume from earliest, librdkafka, 1 partition, ${size} B`,
      GROUPS.consume,
      { size, partitions: 1 },
      0.9,
    );
  for (const [rate, maxMs] of [
    [1000, 3],
    [20000, 10],
  ] as const) {
    const p99 =
      cell(s, GROUPS.latency, { rate, size: 1024, partitions: 1 })?.figures.p99Ms?.logbook ??
      Number.NaN;
    goals.push({
      goal: `end-to-end p99, ${rate} rec/s of 1 KiB, 1 partition`,
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
  return [...kafkaGoals(s), ...goals];
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

const NONE: Figure = {
  ceiling: Number.NaN,
  logbook: Number.NaN,
  kafka: Number.NaN,
  ratio: Number.NaN,
  kafkaRatio: Number.NaN,
};

function latencyTable(cells: CellSummary[]): string {
  const rows = [
    [
      "",
      "ceiling p50",
      "p99",
      "p99.9",
      "kafka p50",
      "p99",
      "p99.9",
      "logbook p50",
      "p99",
      "p99.9",
      "p99 ÷ kafka",
      "÷ ceiling",
    ],
  ];
  const ms = (v: number): string => `${n(v, 2)} ms`;
  for (const c of cells) {
    const p50 = c.figures.p50Ms ?? NONE;
    const p99 = c.figures.p99Ms ?? NONE;
    const p999 = c.figures.p999Ms ?? NONE;
    rows.push([
      c.label,
      ms(p50.ceiling),
      ms(p99.ceiling),
      ms(p999.ceiling),
      ms(p50.kafka),
      ms(p99.kafka),
      ms(p999.kafka),
      ms(p50.logbook),
      ms(p99.logbook),
      ms(p999.logbook),
      n(p99.kafkaRatio, 2),
      n(p99.ratio, 2),
    ]);
  }
  return table(rows);
}

function throughputTable(cells: CellSummary[], field: "recordsPerSec" | "sustainedRate"): string {
  const rows = [
    [
      "",
      "ceiling rec/s",
      "MB/s",
      "kafka rec/s",
      "MB/s",
      "logbook rec/s",
      "MB/s",
      "÷ kafka",
      "÷ ceiling",
    ],
  ];
  for (const c of cells) {
    const r = c.figures[field] ?? NONE;
    const m = c.figures.mbPerSec ?? NONE;
    rows.push([
      c.label,
      n(r.ceiling),
      n(m.ceiling, 1),
      n(r.kafka),
      n(m.kafka, 1),
      n(r.logbook),
      n(m.logbook, 1),
      n(r.kafkaRatio, 2),
      n(r.ratio, 2),
    ]);
  }
  return table(rows);
}

export function printReport(s: Summary & { goals: Goal[] }): void {
  const out: string[] = [];
  out.push(
    `\n${s.meta.rounds} round(s)${s.meta.quick ? " (quick)" : ""}; medians over rounds; ratios = Logbook ÷ Kafka and Logbook ÷ ceiling, medians of the per-round ratios.`,
  );
  out.push(machineLine(s.meta.machine));
  out.push(`servers: ${s.meta.servers.join(", ")}`);
  out.push(
    `load average before ${s.meta.loadAverageBefore.join(" ")}, after ${s.meta.loadAverageAfter.join(" ")}`,
  );
  for (const group of [...new Set(s.cells.map((c) => c.group))]) {
    const cells = s.cells.filter((c) => c.group === group);
    const kind = kindOf(group);
    if (kind === "omb") {
      out.push(`\n${group}\nhighest rate sustained with p99 end-to-end latency under 50 ms`);
      out.push(throughputTable(cells, "sustainedRate"));
    } else {
      out.push(`\n${group}`);
      out.push(kind === "latency" ? latencyTable(cells) : throughputTable(cells, "recordsPerSec"));
    }
  }
  const f = s.footprint;
  const peak = (name: string): string =>
    `${n((f.peakRssUnderLoadBytes[name] ?? Number.NaN) / MB, 1)} MB`;
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
        peak("logbook"),
        `${peak("ceiling")} (ceiling), ${peak("kafka")} (kafka, heap ${s.meta.machine.kafkaHeap})`,
      ],
    ]),
  );
  const versus = s.goals.filter((g) => g.versus === "kafka");
  const met = versus.filter((g) => g.met).length;
  out.push(
    `\ngoal: Logbook at or above Kafka on every row: ${versus.length > 0 && met === versus.length ? "met" : "NOT MET"} (${met} of ${versus.length} rows)`,
  );
  out.push(
    table([
      ["", "target", "measured", ""],
      ...versus.map((g) => [g.goal, g.target, g.measured, g.met ? "met" : "not met"]),
    ]),
  );
  out.push("\ngoals against the ceiling and absolute");
  out.push(
    table([
      ["", "target", "measured", ""],
      ...s.goals
        .filter((g) => g.versus === undefined)
        .map((g) => [g.goal, g.target, g.measured, g.met ? "met" : "MISSED"]),
    ]),
  );
  process.stdout.write(`${out.join("\n")}\n`);
}
