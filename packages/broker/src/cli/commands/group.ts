/** `logbook group list|describe|seek|delete`: consumer groups and their lag, from offsets. */
import {
  deleteGroups,
  describeGroup,
  listGroups,
  type SeekTarget,
  seekGroup,
} from "@logbook/client";
import type { Command } from "commander";
import { pairs, render, sections, table } from "../output.js";
import { type ClientFlags, clientOptions, EXIT, withClient } from "./client-command.js";
import { parseStart } from "./consume.js";

function seekTarget(text: string): SeekTarget {
  const s = parseStart(text);
  switch (s.kind) {
    case "start":
    case "end":
      return { to: s.kind };
    case "offset":
      return { to: "offset", offset: s.offset };
    case "fromEnd":
      return { to: "fromEnd", back: s.back };
    case "time":
      return { to: "time", ms: s.ms };
  }
}

export function groupCommand(program: Command): void {
  const group = program
    .command("group")
    .description("consumer groups: members, committed offsets and lag");

  clientOptions(group.command("list").alias("ls").description("list groups")).action(
    (o: ClientFlags) =>
      withClient(o, async (client, io) => {
        const groups = await listGroups(client);
        io.print(
          render(io.format, groups, () =>
            table(
              ["group", "type", "state", "protocol-type"],
              groups.map((g) => [g.group, g.type, g.state, g.protocolType]),
            ),
          ),
        );
        return EXIT.OK;
      }),
  );

  clientOptions(
    group
      .command("describe")
      .description("state, members and per-partition committed offset, end offset and lag")
      .argument("<group>"),
  ).action((name: string, o: ClientFlags) =>
    withClient(o, async (client, io) => {
      const d = await describeGroup(client, name);
      io.print(
        render(io.format, d, () =>
          sections([
            {
              title: "GROUP",
              body: pairs([
                ["group", d.group],
                ["type", d.type],
                ["state", d.state],
                ["protocol", d.protocol],
                ["coordinator", d.coordinator],
                ["members", d.members.length],
                ["total-lag", d.totalLag],
              ]),
            },
            {
              title: "PARTITIONS",
              body: table(
                [
                  "topic",
                  "partition",
                  "current-offset",
                  "log-end-offset",
                  "lag",
                  "member-id",
                  "client-id",
                  "host",
                ],
                d.partitions.map((p) => {
                  const m = d.members.find((x) => x.memberId === p.memberId);
                  return [
                    p.topic,
                    p.partition,
                    p.committed < 0n ? null : p.committed,
                    p.end,
                    p.lag,
                    p.memberId,
                    m?.clientId,
                    m?.host,
                  ];
                }),
              ),
            },
          ]),
        ),
      );
      return EXIT.OK;
    }),
  );

  clientOptions(
    group
      .command("seek")
      .description("move a group's committed offsets (the group must have no active members)")
      .argument("<group>")
      .requiredOption(
        "--to <where>",
        "start, end, an offset, -N (N before the end) or @timestamp (ms or ISO 8601)",
      )
      .option(
        "-t, --topics <list>",
        "every partition of these topics (default: the partitions the group committed)",
      )
      .option("--dry-run", "only show where the offsets would go"),
  ).action((name: string, o: ClientFlags & { to: string; topics?: string; dryRun?: boolean }) =>
    withClient(o, async (client, io) => {
      const topics = o.topics === undefined ? null : o.topics.split(",").map((t) => t.trim());
      const rs = await seekGroup(client, name, seekTarget(o.to), topics, o.dryRun === true);
      io.print(
        render(io.format, rs, () =>
          table(
            ["topic", "partition", "current-offset", "new-offset", "status"],
            rs.map((r) => [
              r.topic,
              r.partition,
              r.current < 0n ? null : r.current,
              r.target,
              r.status,
            ]),
          ),
        ),
      );
      return rs.every((r) => r.status === "OK" || r.status === "DRY-RUN") ? EXIT.OK : EXIT.FAILED;
    }),
  );

  clientOptions(
    group
      .command("delete")
      .description("delete groups (with no active members)")
      .argument("<groups...>"),
  ).action((names: string[], o: ClientFlags) =>
    withClient(o, async (client, io) => {
      const rs = await deleteGroups(client, names);
      io.print(
        render(io.format, rs, () =>
          table(
            ["group", "status"],
            rs.map((r) => [r.group, r.status]),
          ),
        ),
      );
      return rs.every((r) => r.status === "OK") ? EXIT.OK : EXIT.FAILED;
    }),
  );
}
