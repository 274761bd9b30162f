/**
 * `logbook consume TOPIC...`: records from an offset (start, end, a number, -N before the
 * end, or @timestamp) to the end as it was when the command started, or on with --follow;
 * printed by a format string or as JSON lines.
 */
import {
  type ConsumedRecord,
  committedOffsets,
  Fetcher,
  GroupMember,
  IsolationLevel,
  type KafkaClient,
  listOffsets,
  OffsetSpec,
} from "@logbook/client";
import { type Command, Option } from "commander";
import { Progress } from "../progress.js";
import { formatRecord, jsonRecord, parseFormat } from "../record-format.js";
import { type ClientFlags, clientOptions, EXIT, withClient } from "./client-command.js";
import { partitionList, wholeNumber } from "./parse-args.js";
import { UsageError } from "./usage-error.js";

interface ConsumeFlags extends ClientFlags {
  group?: string;
  offset: string;
  num?: string;
  follow?: boolean;
  partitions?: string;
  format: string;
  isolation: "read_uncommitted" | "read_committed";
}

type StartSpec =
  | { kind: "start" | "end" }
  | { kind: "offset"; offset: bigint }
  | { kind: "fromEnd"; back: bigint }
  | { kind: "time"; ms: bigint };

export function parseStart(text: string): StartSpec {
  if (text === "start" || text === "beginning" || text === "oldest") return { kind: "start" };
  if (text === "end" || text === "newest") return { kind: "end" };
  if (/^\d+$/.test(text)) return { kind: "offset", offset: BigInt(text) };
  if (/^-\d+$/.test(text)) return { kind: "fromEnd", back: BigInt(text.slice(1)) };
  if (text.startsWith("@")) {
    const t = text.slice(1);
    const ms = /^\d+$/.test(t) ? Number(t) : Date.parse(t);
    if (!Number.isFinite(ms))
      throw new UsageError(`--offset ${text}: not a timestamp (ms or ISO 8601)`);
    return { kind: "time", ms: BigInt(ms) };
  }
  throw new UsageError(`--offset must be start, end, an offset, -N or @timestamp, got "${text}"`);
}

interface Range {
  topic: string;
  partition: number;
  from: bigint;
  /** Where reading stops without --follow (the end when the command started). */
  end: bigint;
}

async function ranges(
  client: KafkaClient,
  topics: readonly string[],
  partitions: ReadonlySet<number> | undefined,
  start: StartSpec,
  committedOnly: boolean,
): Promise<Range[]> {
  const opts = { ...(partitions === undefined ? {} : { partitions }), committedOnly };
  const [earliest, latest] = await Promise.all([
    listOffsets(client, topics, OffsetSpec.EARLIEST, opts),
    listOffsets(client, topics, OffsetSpec.LATEST, opts),
  ]);
  const byTime = start.kind === "time" ? await listOffsets(client, topics, start.ms, opts) : [];
  return latest.map((l) => {
    const first =
      earliest.find((e) => e.topic === l.topic && e.partition === l.partition)?.offset ?? 0n;
    let from: bigint;
    if (start.kind === "start") from = first;
    else if (start.kind === "end") from = l.offset;
    else if (start.kind === "offset") from = start.offset;
    else if (start.kind === "fromEnd")
      from = l.offset - start.back > first ? l.offset - start.back : first;
    else {
      const t =
        byTime.find((x) => x.topic === l.topic && x.partition === l.partition)?.offset ?? -1n;
      from = t < 0n ? l.offset : t;
    }
    return { topic: l.topic, partition: l.partition, from, end: l.offset };
  });
}

export function consumeCommand(program: Command): void {
  clientOptions(
    program
      .command("consume")
      .description("print records of topics from an offset to the end (or on, with --follow)")
      .argument("<topics...>")
      .option(
        "-o, --offset <where>",
        "start, end, an offset, -N (N before the end) or @timestamp (ms or ISO 8601)",
        "start",
      )
      .option("-n, --num <n>", "stop after this many records")
      .option("--follow", "keep waiting for new records instead of stopping at the end")
      .option("-p, --partitions <list>", "only these partitions, e.g. 0,2")
      .option(
        "-g, --group <id>",
        "read as a member of this consumer group (range assignment), from its committed offsets, committing as it goes",
      )
      .option(
        "-f, --format <format>",
        'output per record: %t %k %v %p %o %d %h and \\n, or "json" (JSON lines)',
        "%v\\n",
      )
      .addOption(
        new Option("--isolation <level>", "read_committed leaves out aborted transactions")
          .choices(["read_uncommitted", "read_committed"])
          .default("read_uncommitted"),
      ),
    { output: false },
  ).action((topics: string[], o: ConsumeFlags) =>
    withClient(o, async (client) => {
      // A reader that went away (`| head`) ends the run, as for any Unix filter.
      process.stdout.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code === "EPIPE") process.exit(EXIT.OK);
        throw e;
      });
      const start = parseStart(o.offset);
      const limit = o.num === undefined ? Number.POSITIVE_INFINITY : wholeNumber("--num", o.num, 1);
      const print =
        o.format === "json"
          ? jsonRecord
          : (
              (tokens) => (r: ConsumedRecord) =>
                formatRecord(tokens, r)
            )(parseFormat(o.format));
      const committedOnly = o.isolation === "read_committed";
      const parts =
        o.partitions === undefined
          ? undefined
          : new Set(partitionList("--partitions", o.partitions));
      if (o.group !== undefined && parts !== undefined)
        throw new UsageError(
          "--partitions and --group exclude each other: the group assigns partitions",
        );
      const member = o.group === undefined ? null : new GroupMember(client, o.group, topics);
      const progress = new Progress("consumed");
      let printed = 0;
      // One pass per group generation (one in all without --group).
      for (let again = true; again; ) {
        again = false;
        let wanted = await ranges(client, topics, parts, start, committedOnly);
        if (member !== null) {
          const assigned = new Set(
            (await member.rejoin()).flatMap((a) => a.partitions.map((p) => `${a.topic}:${p}`)),
          );
          const committed = new Map(
            (await committedOffsets(client, member.groupId)).map((c) => [
              `${c.topic}:${c.partition}`,
              c.offset,
            ]),
          );
          // As a consumer's auto.offset.reset: -o only where the group committed nothing.
          wanted = wanted
            .filter((r) => assigned.has(`${r.topic}:${r.partition}`))
            .map((r) => ({ ...r, from: committed.get(`${r.topic}:${r.partition}`) ?? r.from }));
        }
        const live = o.follow === true ? wanted : wanted.filter((r) => r.from < r.end);
        const fetcher = new Fetcher(
          client,
          live.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.from })),
          committedOnly ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED,
        );
        const endOf = new Map(wanted.map((r) => [`${r.topic}:${r.partition}`, r.end]));
        const finished = () =>
          printed >= limit ||
          (o.follow !== true &&
            fetcher.positions.every(
              (p) => p.offset >= (endOf.get(`${p.topic}:${p.partition}`) ?? 0n),
            ));
        const committedTo = new Map<string, bigint>();
        while (!finished()) {
          if (fetcher.positions.length === 0) {
            // A member without partitions waits for a rebalance (or nothing, without --follow).
            if (member === null || o.follow !== true) break;
            await new Promise((r) => setTimeout(r, 500));
          }
          let out = "";
          const read = fetcher.positions.length === 0 ? [] : await fetcher.poll(500);
          for (const r of read) {
            if (o.follow !== true && r.offset >= (endOf.get(`${r.topic}:${r.partition}`) ?? 0n))
              continue;
            if (printed >= limit) break;
            out += print(r);
            printed++;
            committedTo.set(`${r.topic}:${r.partition}`, r.offset + 1n);
          }
          if (out !== "" && !process.stdout.write(out))
            await new Promise((resolve) => process.stdout.once("drain", resolve));
          progress.update(printed);
          if (member !== null) {
            if (out !== "") await member.commit(commitList(committedTo));
            if (member.rebalanceNeeded) {
              again = true;
              break;
            }
          }
        }
      }
      await member?.leave();
      progress.done();
      return EXIT.OK;
    }),
  );
}

/** The offsets to commit: the next one after each record printed, per partition. */
function commitList(next: ReadonlyMap<string, bigint>) {
  return [...next].map(([key, offset]) => {
    const i = key.lastIndexOf(":");
    return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)), offset };
  });
}
