/** `logbook cluster info`: brokers, controller, cluster id, API versions and features. */
import { clusterInfo } from "@logbook/client";
import type { Command } from "commander";
import { pairs, render, sections, table } from "../output.js";
import { type ClientFlags, clientOptions, EXIT, withClient } from "./client-command.js";

export function clusterCommand(program: Command): void {
  const cluster = program.command("cluster").description("what the cluster says of itself");
  clientOptions(
    cluster
      .command("info")
      .description("brokers, controller, cluster id, API versions and features")
      .option("--apis", "list the API versions the broker serves"),
  ).action((o: ClientFlags & { apis?: boolean }) =>
    withClient(o, async (client, io) => {
      const info = await clusterInfo(client);
      io.print(
        render(io.format, info, () =>
          sections([
            {
              title: "CLUSTER",
              body: pairs([
                ["cluster-id", info.clusterId],
                ["controller", info.controllerId],
              ]),
            },
            {
              title: "BROKERS",
              body: table(
                ["id", "host", "port", "rack"],
                info.brokers.map((b) => [b.controller ? `${b.id}*` : b.id, b.host, b.port, b.rack]),
              ),
            },
            {
              title: "FEATURES",
              body: table(
                ["name", "supported", "finalized"],
                info.features.map((f) => [
                  f.name,
                  `${f.supportedMin}-${f.supportedMax}`,
                  f.finalized,
                ]),
              ),
            },
            ...(o.apis === true
              ? [
                  {
                    title: "APIS",
                    body: table(
                      ["key", "name", "versions"],
                      info.apis.map((a) => [a.key, a.name, `${a.minVersion}-${a.maxVersion}`]),
                    ),
                  },
                ]
              : []),
          ]),
        ),
      );
      return EXIT.OK;
    }),
  );
}
