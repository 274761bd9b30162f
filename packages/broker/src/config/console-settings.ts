/** The web console the broker can serve itself (packages/console), off unless a port is given. */
import { bool, int, text } from "./kinds.js";
import { type SectionValues, setting } from "./setting.js";

export const CONSOLE_SETTINGS = {
  consolePort: setting({
    name: "console.port",
    kind: int(-1, 65535),
    default: -1,
    defaultText: "-1 (off)",
    flag: "--console-port",
    importance: "medium",
    doc: "Logbook: serve the web console on this port; 0 picks a free one, -1 is off.",
  }),
  consoleHost: setting({
    name: "console.host",
    kind: text(false),
    default: "",
    defaultText: "(the listen host)",
    importance: "low",
    doc: "Logbook: the address the web console listens on.",
  }),
  consoleLagSampleMs: setting({
    name: "console.lag.sample.ms",
    kind: int(100, 3_600_000),
    default: 5000,
    importance: "low",
    doc: "Logbook: how often the console samples consumer-group lag for its lag-over-time chart.",
  }),
  consoleAllowWrites: setting({
    name: "console.allow.writes",
    kind: bool(),
    default: false,
    importance: "low",
    doc: "Logbook: let the console produce records and move consumer groups' offsets (read-only otherwise).",
  }),
};

export type ConsoleConfig = SectionValues<typeof CONSOLE_SETTINGS>;
