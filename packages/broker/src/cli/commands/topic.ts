/** `logbook topic create|list|describe|alter-config|add-partitions|delete|trim`. */
import {
  addPartitions,
  alterTopicConfig,
  createTopics,
  deleteTopics,
  describeTopic,
  describeTopicConfigs,
  listTopics,
  type TopicResult,
  trimTopic,
} from "@logbook/client";
import type { Command } from "commander";
import { pairs, render, sections, table } from "../output.js";
import { type ClientFlags, clientOptions, EXIT, withClient } from "./client-command.js";
import { collect, keyValues, offsetArg, partitionList, wholeNumber } from "./parse-args.js";
import { UsageError } from "./usage-error.js";

/** Per-topic outcomes as a table; exit 1 when any failed. */
function results(
  io: { format: Parameters<typeof render>[0]; print(t: string): void },
  rs: TopicResult[],
): number {
  io.print(
    render(io.format, rs, () =>
      table(
        ["topic", "status", ...(rs.some((r) => r.message !== null) ? ["message"] : [])],
        rs.map((r) => [r.name, r.status, ...(r.message === null ? [] : [r.message])]),
      ),
    ),
  );
  return rs.every((r) => r.status === "OK") ? EXIT.OK : EXIT.FAILED;
}

export function topicCommand(program: Command): void {
  const topic = program.command("topic").description("create, inspect, change and delete topics");

  clientOptions(
    topic
      .command("create")
      .description("create topics")
      .argument("<topics...>")
      .option(
        "-p, --partitions <n>",
        "partitions per topic (-1: the broker's num.partitions)",
        "-1",
      )
      .option("-r, --replicas <n>", "replication factor (-1: the broker's default)", "-1")
      .option("-c, --config <key=value>", "a topic config (repeatable)", collect, [])
      .option("--dry-run", "validate only"),
  ).action(
    (
      names: string[],
      o: ClientFlags & { partitions: string; replicas: string; config: string[]; dryRun?: boolean },
    ) =>
      withClient(o, async (client, io) => {
        const partitions = wholeNumber("--partitions", o.partitions, -1);
        const replicationFactor = wholeNumber("--replicas", o.replicas, -1);
        if (partitions === 0) throw new UsageError("--partitions must be positive or -1");
        const configs = keyValues("--config", o.config);
        const rs = await createTopics(
          client,
          names.map((name) => ({ name, partitions, replicationFactor, configs })),
          o.dryRun === true,
        );
        return results(io, rs);
      }),
  );

  clientOptions(
    topic
      .command("list")
      .alias("ls")
      .description("list topics")
      .option("-i, --internal", "include internal topics"),
  ).action((o: ClientFlags & { internal?: boolean }) =>
    withClient(o, async (client, io) => {
      const topics = await listTopics(client, o.internal === true);
      io.print(
        render(io.format, topics, () =>
          table(
            ["name", "partitions", "replicas", ...(o.internal === true ? ["internal"] : [])],
            topics.map((t) => [
              t.name,
              t.partitions,
              t.replicas,
              ...(o.internal === true ? [t.internal] : []),
            ]),
          ),
        ),
      );
      return EXIT.OK;
    }),
  );

  clientOptions(
    topic
      .command("describe")
      .description("partitions, offsets, sizes and configs of a topic")
      .argument("<topic>"),
  ).action((name: string, o: ClientFlags) =>
    withClient(o, async (client, io) => {
      const [d, configs] = await Promise.all([
        describeTopic(client, name),
        describeTopicConfigs(client, name),
      ]);
      io.print(
        render(io.format, { ...d, configs }, () =>
          sections([
            {
              title: "SUMMARY",
              body: pairs([
                ["name", d.name],
                ["id", d.id],
                ["internal", d.internal],
                ["partitions", d.partitions.length],
                ["replicas", d.partitions[0]?.replicas.length ?? 0],
              ]),
            },
            {
              title: "CONFIGS",
              body: table(
                ["key", "value", "source"],
                configs.map((c) => [c.name, c.sensitive ? "(sensitive)" : c.value, c.source]),
              ),
            },
            {
              title: "PARTITIONS",
              body: table(
                [
                  "partition",
                  "leader",
                  "epoch",
                  "replicas",
                  "log-start-offset",
                  "high-watermark",
                  "size",
                ],
                d.partitions.map((p) => [
                  p.partition,
                  p.leader,
                  p.leaderEpoch,
                  `[${p.replicas.join(" ")}]`,
                  p.logStartOffset,
                  p.highWatermark,
                  p.sizeBytes,
                ]),
              ),
            },
          ]),
        ),
      );
      return EXIT.OK;
    }),
  );

  clientOptions(
    topic
      .command("alter-config")
      .description("set or remove topic configs")
      .argument("<topic>")
      .option("-s, --set <key=value>", "set a config (repeatable)", collect, [])
      .option(
        "-d, --delete <key>",
        "remove a config, back to its default (repeatable)",
        collect,
        [],
      ),
  ).action((name: string, o: ClientFlags & { set: string[]; delete: string[] }) =>
    withClient(o, async (client, io) => {
      if (o.set.length === 0 && o.delete.length === 0)
        throw new UsageError("nothing to change: give --set key=value or --delete key");
      await alterTopicConfig(client, name, keyValues("--set", o.set), o.delete);
      return results(io, [{ name, status: "OK", message: null }]);
    }),
  );

  clientOptions(
    topic
      .command("add-partitions")
      .description("add partitions to topics")
      .argument("<topics...>")
      .requiredOption("-n, --num <n>", "how many partitions to add"),
  ).action((names: string[], o: ClientFlags & { num: string }) =>
    withClient(o, async (client, io) =>
      results(io, await addPartitions(client, names, wholeNumber("--num", o.num, 1))),
    ),
  );

  clientOptions(
    topic.command("delete").description("delete topics").argument("<topics...>"),
  ).action((names: string[], o: ClientFlags) =>
    withClient(o, async (client, io) => results(io, await deleteTopics(client, names))),
  );

  clientOptions(
    topic
      .command("trim")
      .description("delete the records before an offset (DeleteRecords)")
      .argument("<topic>")
      .requiredOption(
        "-o, --offset <offset>",
        'the new log start offset, or "end" for the high watermark',
      )
      .option("-p, --partitions <list>", "only these partitions, e.g. 0,2"),
  ).action((name: string, o: ClientFlags & { offset: string; partitions?: string }) =>
    withClient(o, async (client, io) => {
      const offset = o.offset === "end" ? -1n : offsetArg("--offset", o.offset);
      const parts = o.partitions === undefined ? null : partitionList("--partitions", o.partitions);
      const rs = await trimTopic(client, name, offset, parts);
      io.print(
        render(io.format, rs, () =>
          table(
            ["partition", "status", "log-start-offset"],
            rs.map((r) => [r.partition, r.status, r.logStartOffset]),
          ),
        ),
      );
      return rs.every((r) => r.status === "OK") ? EXIT.OK : EXIT.FAILED;
    }),
  );
}
