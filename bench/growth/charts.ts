/**
 * `pnpm bench:charts`: draws each growth curve in bench/results/growth.json as a PNG
 * under docs/charts/ (Vega-Lite spec -> Vega -> SVG in Node -> PNG with resvg; fonts
 * from the system, DejaVu Sans on Debian: fonts-dejavu-core).
 *
 *   pnpm bench:charts [--in bench/results/growth.json] [--out-dir docs/charts]
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { REPO_ROOT, RESULTS_DIR } from "../lib/paths.js";
import { flagValue, log } from "./common.js";
import type { ConnectionsPoint } from "./connections.js";
import type { DataPoint } from "./data-size.js";
import type { PartitionsPoint } from "./partitions.js";
import type { RebalancePoint } from "./rebalance.js";

interface Row {
  x: number;
  y: number;
  series: string;
}

interface Chart {
  file: string;
  title: string;
  subtitle: string;
  x: string;
  y: string;
  /** Logarithmic x axis (points spread over decades). */
  logX: boolean;
  /** Logarithmic y axis (a series far above the others). */
  logY?: boolean;
  rows: Row[];
}

const FONT = "DejaVu Sans";

function spec(c: Chart): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: c.title, subtitle: c.subtitle, anchor: "start" },
    width: 560,
    height: 300,
    background: "white",
    config: { font: FONT },
    data: { values: c.rows },
    mark: { type: "line", point: { size: 50 } },
    encoding: {
      x: {
        field: "x",
        type: "quantitative",
        title: c.x,
        scale: c.logX ? { type: "log" } : { zero: true },
        axis: { values: [...new Set(c.rows.map((r) => r.x))], format: "~s" },
      },
      y: {
        field: "y",
        type: "quantitative",
        title: c.y,
        scale: c.logY === true ? { type: "log" } : { zero: true },
      },
      color: {
        field: "series",
        type: "nominal",
        title: null,
        legend: { orient: "bottom", columns: 2, labelLimit: 0 },
      },
    },
  };
}

async function render(c: Chart, dir: string): Promise<void> {
  const view = new vega.View(vega.parse(compile(spec(c)).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: FONT },
  })
    .render()
    .asPng();
  writeFileSync(join(dir, c.file), png);
  log(`  ${join(dir, c.file)}`);
}

function rows<P>(
  points: readonly P[],
  x: (p: P) => number,
  series: Record<string, (p: P) => number>,
): Row[] {
  return points.flatMap((p) =>
    Object.entries(series).map(([name, y]) => ({ x: x(p), y: y(p), series: name })),
  );
}

function charts(
  results: Record<string, { runs: { at: string }[]; points: unknown[] } | undefined>,
): Chart[] {
  const out: Chart[] = [];
  const when = (runs: readonly { at: string }[]) => {
    const dates = new Set(runs.map((r) => r.at.slice(0, 16).replace("T", " ")));
    return `measured ${[...dates].join(", ")} UTC on a shared 2-core machine`;
  };
  const partitions = results.partitions as
    | { runs: { at: string }[]; points: PartitionsPoint[] }
    | undefined;
  if (partitions !== undefined) {
    const p = partitions.points;
    out.push(
      {
        file: "growth-partitions-throughput.png",
        title: "Throughput against partitions (1 topic, 1 KiB records, librdkafka, acks=1)",
        subtitle: when(partitions.runs),
        x: "partitions",
        y: "MB/s",
        logX: true,
        rows: rows(p, (q) => q.partitions, {
          "Logbook produce": (q) => q.logbook.produceMBPerSec,
          "Logbook consume": (q) => q.logbook.consumeMBPerSec,
          "ceiling produce": (q) => q.ceiling.produceMBPerSec,
        }),
      },
      {
        file: "growth-partitions-rss.png",
        title: "Broker RSS against partitions",
        subtitle: when(partitions.runs),
        x: "partitions",
        y: "RSS (MiB)",
        logX: true,
        rows: rows(p, (q) => q.partitions, {
          "idle, after the topic was created": (q) => q.rssAfterCreateMiB,
          "peak under produce and consume": (q) => q.rssPeakUnderLoadMiB,
          "a second after the load": (q) => q.rssAfterLoadMiB,
        }),
      },
      {
        file: "growth-partitions-create.png",
        title: "CreateTopics time against partitions (until every leader is known)",
        subtitle: when(partitions.runs),
        x: "partitions",
        y: "ms",
        logX: true,
        rows: rows(p, (q) => q.partitions, { "create topic": (q) => q.createTopicMs }),
      },
    );
  }
  const connections = results.connections as
    | { runs: { at: string }[]; points: ConnectionsPoint[] }
    | undefined;
  if (connections !== undefined) {
    const p = connections.points;
    out.push(
      {
        file: "growth-connections-rss.png",
        title: "Broker RSS against idle client connections",
        subtitle: when(connections.runs),
        x: "idle connections",
        y: "RSS (MiB)",
        logX: true,
        rows: rows(p, (q) => q.connections, { "broker RSS": (q) => q.rssWithConnectionsMiB }),
      },
      {
        file: "growth-connections-latency.png",
        title: "Request latency on one more connection, against idle connections",
        subtitle: when(connections.runs),
        x: "idle connections",
        y: "ms",
        logX: true,
        rows: rows(p, (q) => q.connections, {
          "ApiVersions p50": (q) => q.apiVersions.p50Ms,
          "ApiVersions p99": (q) => q.apiVersions.p99Ms,
          "Metadata p50": (q) => q.metadata.p50Ms,
          "Metadata p99": (q) => q.metadata.p99Ms,
        }),
      },
    );
  }
  const data = results.data as { runs: { at: string }[]; points: DataPoint[] } | undefined;
  if (data !== undefined)
    out.push({
      file: "growth-data-startup.png",
      title: "Start-up time against data in the partition",
      subtitle: when(data.runs),
      x: "data in the partition (GiB on disk)",
      y: "ms from spawn (log scale)",
      logX: false,
      logY: true,
      rows: rows(data.points, (q) => Math.round((q.bytesOnDisk / 2 ** 30) * 10) / 10, {
        "clean stop: first answer": (q) => q.afterCleanStop.firstAnswerMs,
        "clean stop: partition readable": (q) => q.afterCleanStop.readableMs,
        "SIGKILL: first answer": (q) => q.afterSigkill.firstAnswerMs,
        "SIGKILL: partition readable": (q) => q.afterSigkill.readableMs,
      }),
    });
  const rebalance = results.rebalance as
    | { runs: { at: string }[]; points: RebalancePoint[] }
    | undefined;
  if (rebalance !== undefined)
    out.push({
      file: "growth-rebalance.png",
      title: "Consumer group rebalance time against members",
      subtitle: when(rebalance.runs),
      x: "members",
      y: "ms",
      logX: true,
      rows: rows(rebalance.points, (q) => q.members, {
        "a member joins -> all assigned": (q) => q.rebalanceMs,
        "last JoinGroup -> all joined": (q) => q.joinPhaseMs,
        "all joined -> all synced": (q) => q.syncPhaseMs,
      }),
    });
  return out;
}

const input = flagValue("--in") ?? join(RESULTS_DIR, "growth.json");
const dir = flagValue("--out-dir") ?? join(REPO_ROOT, "docs/charts");
mkdirSync(dir, { recursive: true });
const results = JSON.parse(readFileSync(input, "utf8")) as Parameters<typeof charts>[0];
log(`charts from ${input}:`);
for (const c of charts(results)) await render(c, dir);
