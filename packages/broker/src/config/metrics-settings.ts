/** The Prometheus endpoint (metrics/), off unless a port is given. */
import { int, text } from "./kinds.js";
import { type SectionValues, setting } from "./setting.js";

export const METRICS_SETTINGS = {
  metricsPort: setting({
    name: "metrics.port",
    kind: int(-1, 65535),
    default: -1,
    defaultText: "-1 (off)",
    flag: "--metrics-port",
    importance: "medium",
    doc: "Logbook: serve Prometheus metrics over HTTP at /metrics on this port; 0 picks a free one, -1 is off.",
  }),
  metricsHost: setting({
    name: "metrics.host",
    kind: text(false),
    default: "",
    defaultText: "(the listen host)",
    importance: "low",
    doc: "Logbook: the address the metrics endpoint listens on.",
  }),
};

export type MetricsConfig = SectionValues<typeof METRICS_SETTINGS>;
