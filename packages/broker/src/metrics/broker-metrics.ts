/**
 * The broker's Prometheus metrics (prom-client). Counters and histograms are fed as
 * requests are served; partition offsets, sizes, consumer-group lag and connections are
 * read at each scrape (`scrape()`), so nothing is kept up to date between scrapes. Each name maps to
 * Kafka's JMX metric where one exists (docs/metrics.md).
 */
import {
  type Counter,
  collectDefaultMetrics,
  Gauge,
  Histogram,
  Counter as PromCounter,
  Registry,
} from "prom-client";
import type { BrokerGroups } from "../groups/index.js";
import type { TopicRegistry } from "../topics.js";

/** What the scrape-time metrics read. */
export interface MetricsSources {
  readonly topics: TopicRegistry;
  readonly groups: BrokerGroups;
  /** Open connections per listener. */
  connections(): { listener: string; count: number }[];
}

// From 0.1 ms to 10 s: a fetch long-poll lands in the top buckets by design.
const REQUEST_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];
const FSYNC_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1];

export class BrokerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"api">;
  private readonly durations: Histogram<"api">;
  private readonly bytesIn: Counter<"topic">;
  private readonly bytesOut: Counter<"topic">;
  private readonly messagesIn: Counter<"topic">;
  private readonly fsyncs: Histogram;
  // Children by label value, so the hot path does no label hashing.
  private readonly byApi = new Map<
    string,
    { count: Counter.Internal; time: Histogram.Internal<"api"> }
  >();
  private sources: MetricsSources | null = null;
  private readonly gauges: ReturnType<typeof scrapeGauges>;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new PromCounter({
      name: "logbook_requests_total",
      help: "Requests served, by API (Kafka: RequestMetrics RequestsPerSec).",
      labelNames: ["api"],
      registers,
    });
    this.durations = new Histogram({
      name: "logbook_request_duration_seconds",
      help: "Time requests spent in their handler, by API (Kafka: RequestMetrics TotalTimeMs, which adds queueing and sending).",
      labelNames: ["api"],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.bytesIn = new PromCounter({
      name: "logbook_topic_bytes_in_total",
      help: "Record batch bytes appended by producers, by topic (Kafka: BrokerTopicMetrics BytesInPerSec).",
      labelNames: ["topic"],
      registers,
    });
    this.bytesOut = new PromCounter({
      name: "logbook_topic_bytes_out_total",
      help: "Record batch bytes sent to consumers, by topic (Kafka: BrokerTopicMetrics BytesOutPerSec).",
      labelNames: ["topic"],
      registers,
    });
    this.messagesIn = new PromCounter({
      name: "logbook_topic_messages_in_total",
      help: "Records appended by producers, by topic (Kafka: BrokerTopicMetrics MessagesInPerSec).",
      labelNames: ["topic"],
      registers,
    });
    this.fsyncs = new Histogram({
      name: "logbook_fsync_duration_seconds",
      help: "Time of each fsync of log data and metadata (Kafka: LogFlushStats LogFlushRateAndTimeMs).",
      buckets: FSYNC_BUCKETS,
      registers,
    });
    this.gauges = scrapeGauges(registers);
  }

  /** Gives the scrape-time metrics their sources, once the broker is up. */
  attach(sources: MetricsSources): void {
    this.sources = sources;
  }

  request(api: string, seconds: number): void {
    let child = this.byApi.get(api);
    if (child === undefined) {
      child = { count: this.requests.labels(api), time: this.durations.labels(api) };
      this.byApi.set(api, child);
    }
    child.count.inc();
    child.time.observe(seconds);
  }

  produced(topic: string, bytes: number, records: number): void {
    this.bytesIn.inc({ topic }, bytes);
    this.messagesIn.inc({ topic }, records);
  }

  fetched(topic: string, bytes: number): void {
    if (bytes > 0) this.bytesOut.inc({ topic }, bytes);
  }

  fsyncTook(seconds: number): void {
    this.fsyncs.observe(seconds);
  }

  /** Reads the scrape-time metrics, then renders every metric in the text format. */
  async scrape(): Promise<string> {
    await this.refresh();
    return this.registry.metrics();
  }

  private async refresh(): Promise<void> {
    const sources = this.sources;
    if (sources === null) return;
    const g = this.gauges;
    for (const gauge of Object.values(g)) gauge.reset();
    let partitions = 0;
    for (const t of sources.topics.list()) {
      for (let p = 0; p < t.partitions; p++) {
        const log = await sources.topics.partition(t.name, p);
        if (log === undefined) continue;
        partitions++;
        const labels = { topic: t.name, partition: String(p) };
        g.logStart.set(labels, log.logStartOffset);
        g.logEnd.set(labels, log.logEndOffset);
        g.highWatermark.set(labels, log.highWatermark);
        g.size.set(labels, log.sizeInBytes);
        g.segments.set(labels, log.segmentCount);
      }
    }
    g.partitions.set(partitions);
    for (const c of sources.connections()) g.connections.set({ listener: c.listener }, c.count);
    const access = sources.groups.access();
    if (!access.ok) return;
    const listed = await access.coordinator.listGroups({});
    for (const group of listed.groups) {
      const lag = await sources.groups.lag(group.groupId);
      for (const p of lag.partitions) {
        if (p.lag < 0) continue;
        const labels = { group: group.groupId, topic: p.topic, partition: String(p.partition) };
        g.groupLag.set(labels, p.lag);
        g.groupCommitted.set(labels, p.committedOffset);
      }
    }
  }
}

function scrapeGauges(registers: Registry[]) {
  const partition = ["topic", "partition"] as const;
  const group = ["group", "topic", "partition"] as const;
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Gauge<L>({ name, help, labelNames, registers });
  return {
    logStart: gauge(
      "logbook_partition_log_start_offset",
      "First offset still in the partition (Kafka: Log LogStartOffset).",
      partition,
    ),
    logEnd: gauge(
      "logbook_partition_log_end_offset",
      "Offset the next record will get (Kafka: Log LogEndOffset).",
      partition,
    ),
    highWatermark: gauge(
      "logbook_partition_high_watermark",
      "Offset below which records are visible to consumers.",
      partition,
    ),
    size: gauge(
      "logbook_partition_size_bytes",
      "Bytes of the partition's segments (Kafka: Log Size).",
      partition,
    ),
    segments: gauge(
      "logbook_partition_segments",
      "Segments of the partition (Kafka: Log NumLogSegments).",
      partition,
    ),
    partitions: gauge(
      "logbook_partitions",
      "Partitions the broker leads (Kafka: ReplicaManager PartitionCount).",
      [],
    ),
    connections: gauge(
      "logbook_connections",
      "Open client connections, by listener (Kafka: socket-server-metrics connection-count).",
      ["listener"],
    ),
    groupLag: gauge(
      "logbook_consumer_group_lag",
      "High watermark minus the group's committed offset, per partition; from offsets, never timestamps (kafka_exporter: kafka_consumergroup_lag).",
      group,
    ),
    groupCommitted: gauge(
      "logbook_consumer_group_committed_offset",
      "A group's committed offset per partition (kafka_exporter: kafka_consumergroup_current_offset).",
      group,
    ),
  };
}
