/** `logbook console`: the web console against any cluster, until SIGINT/SIGTERM. */
import { ConsoleServer } from "@logbook/console";
import type { Command } from "commander";
import {
  type ClientFlags,
  clientOptions,
  clientSettings,
  EXIT,
  exitCodeOf,
} from "./client-command.js";
import { wholeNumber } from "./parse-args.js";

export function consoleCommand(program: Command): void {
  clientOptions(
    program
      .command("console")
      .description("serve the web console for a cluster (Logbook or Kafka) until interrupted")
      .option("--host <host>", "listen address", "127.0.0.1")
      .option("--port <port>", "listen port (0 picks a free one)", "8080")
      .option("--allow-writes", "let the page produce records and move groups' offsets"),
    { output: false },
  ).action(async (o: ClientFlags & { host: string; port: string; allowWrites?: boolean }) => {
    try {
      const client = await clientSettings(o);
      const brokers = client.brokers.join(",");
      const server = await ConsoleServer.start({
        client,
        host: o.host,
        port: wholeNumber("--port", o.port),
        allowWrites: o.allowWrites === true,
        onError: (e) =>
          process.stderr.write(`logbook console: ${e instanceof Error ? e.message : String(e)}\n`),
      });
      // The one line on stdout, as `start`'s: scripts wait for it and read the address.
      process.stdout.write(`logbook console on ${server.url} (cluster ${brokers})\n`);
      const stop = () => {
        void server.close().then(() => process.exit(EXIT.OK));
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    } catch (e) {
      process.stderr.write(`logbook: ${(e as Error).message}\n`);
      process.exitCode = exitCodeOf(e);
    }
  });
}
