/**
 * A bench cell (one row of a table) holds each server's sample per round; its summary
 * is the median over rounds of each server's figure and of the per-round ratios
 * Logbook ÷ ceiling and Logbook ÷ Kafka. A server that failed in a round (no sample,
 * or a sample with an error) leaves that round out of its figure and its ratios.
 */
import type { TargetName } from "./servers.js";
import { median, round } from "./stats.js";

export type Sample = Record<string, number | string>;

export interface Cell {
  group: string;
  label: string;
  params: Record<string, number | string>;
  rounds: Partial<Record<TargetName, Sample>>[];
}

export interface Figure {
  ceiling: number;
  logbook: number;
  kafka: number;
  /** Logbook ÷ ceiling, median of the per-round ratios. */
  ratio: number;
  /** Logbook ÷ Kafka, median of the per-round ratios. */
  kafkaRatio: number;
}

export interface CellSummary {
  group: string;
  label: string;
  params: Record<string, number | string>;
  figures: Record<string, Figure>;
  rounds: Cell["rounds"];
}

const finite = (xs: number[]): number[] => xs.filter((x) => Number.isFinite(x));

function value(s: Sample | undefined, field: string): number {
  if (s === undefined || typeof s.error === "string") return Number.NaN;
  const v = s[field];
  return typeof v === "number" ? v : Number.NaN;
}

export function summarise(cell: Cell, fields: readonly string[]): CellSummary {
  const figures: Record<string, Figure> = {};
  for (const f of fields) {
    const of = (t: TargetName): number[] => cell.rounds.map((r) => value(r[t], f));
    const c = of("ceiling");
    const l = of("logbook");
    const k = of("kafka");
    const ratios = (other: number[]): number =>
      round(median(finite(l.map((x, i) => x / (other[i] as number)))), 3);
    figures[f] = {
      ceiling: round(median(finite(c)), 3),
      logbook: round(median(finite(l)), 3),
      kafka: round(median(finite(k)), 3),
      ratio: ratios(c),
      kafkaRatio: ratios(k),
    };
  }
  return {
    group: cell.group,
    label: cell.label,
    params: cell.params,
    figures,
    rounds: cell.rounds,
  };
}

export const GROUPS = {
  produce: "librdkafka produce",
  consume: "librdkafka consume from earliest",
  latency: "librdkafka end-to-end latency",
  omb: "OpenMessaging-style workload (1 topic, 100 partitions, 1 KiB, 4 producers, 4 consumers)",
  kafkajsProduce: "kafkajs produce",
  kafkajsConsume: "kafkajs consume from earliest",
} as const;

export type Kind = "throughput" | "latency" | "omb";

export function kindOf(group: string): Kind {
  if (group === GROUPS.latency) return "latency";
  if (group === GROUPS.omb) return "omb";
  return "throughput";
}

export const FIELDS: Record<Kind, readonly string[]> = {
  throughput: ["recordsPerSec", "mbPerSec"],
  latency: ["p50Ms", "p99Ms", "p999Ms", "achievedRate"],
  omb: ["sustainedRate", "mbPerSec", "p99MsAtRate"],
};
