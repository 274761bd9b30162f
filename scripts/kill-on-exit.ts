/**
 * Child processes (brokers, Kafka's JVM, PostgreSQL, clients) that must not outlive the
 * process that started them. A test that fails between a start and its stop would
 * otherwise leave the child running, and its open pipes keep the test file's process
 * alive: the whole run then hangs until CI's time limit. Each test file exits once its
 * tests have ended (scripts/test-file-exit.mjs), and this kills what is left.
 */
import type { ChildProcess } from "node:child_process";

const live = new Set<ChildProcess>();

process.on("exit", () => {
  // An exit handler runs synchronously to the end: kill() sends the signal at once, and
  // SIGKILL because nothing is left to wait for a graceful stop.
  for (const child of live)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** Kills `child` when this process exits, unless it has exited by then. */
export function killOnExit<C extends ChildProcess>(child: C): C {
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}
