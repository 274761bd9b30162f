/** Running the `logbook` client commands against both brokers of helpers/kafka-cli.ts. */
import { runCli } from "./broker-process.js";
import type { Brokers, Side } from "./kafka-cli.js";
import type { ProcessResult } from "./run-process.js";

export const SIDES: readonly Side[] = ["logbook", "kafka"];

/** No developer's profile file may leak into a test. */
export const NO_PROFILES = { LOGBOOK_PROFILES: "/nonexistent/profiles.yaml" };

/** `logbook ARGS -b <that side's bootstrap>`, with extra environment and stdin. */
export function cliOn(
  b: Brokers,
  side: Side,
  args: string[],
  opts: { env?: Record<string, string>; input?: string } = {},
): Promise<ProcessResult> {
  return runCli([...args, "-b", b[side].bootstrap], { ...NO_PROFILES, ...opts.env }, opts.input);
}
