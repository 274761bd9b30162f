/** `logbook produce TOPIC`: records from stdin or a file, one per line. */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { type ProduceRecord, Producer } from "@logbook/client";
import { CompressionCodec, type CompressionCodecId } from "@logbook/protocol";
import { type Command, Option } from "commander";
import { render, table } from "../output.js";
import { Progress } from "../progress.js";
import { parseFormat, parseJsonLine, parseLine } from "../record-format.js";
import { type ClientFlags, clientOptions, EXIT, withClient } from "./client-command.js";
import { collect, keyValues, wholeNumber } from "./parse-args.js";
import { UsageError } from "./usage-error.js";

interface ProduceFlags extends ClientFlags {
  format?: string;
  keySeparator?: string;
  key?: string;
  header: string[];
  partition?: string;
  compression: keyof typeof CompressionCodec;
  acks: string;
  idempotence: boolean;
  file?: string;
  quiet?: boolean;
}

// Records per Produce request: large enough to batch well, small enough to stream.
const CHUNK_RECORDS = 2000;
const CHUNK_BYTES = 1024 * 1024;

function lineParser(o: ProduceFlags): (line: string) => ProduceRecord {
  if (o.format !== undefined && o.keySeparator !== undefined)
    throw new UsageError("give either --format or --key-separator");
  if (o.format === "json") return parseJsonLine;
  const format =
    o.format ??
    (o.keySeparator !== undefined ? `%k${o.keySeparator.replaceAll("%", "%%")}%v` : "%v");
  const tokens = parseFormat(format);
  const headers = [...keyValues("--header", o.header)].map(([key, v]) => ({
    key,
    value: Buffer.from(v),
  }));
  const partition = o.partition === undefined ? undefined : wholeNumber("--partition", o.partition);
  const key = o.key === undefined ? undefined : Buffer.from(o.key);
  return (line) => {
    const r = parseLine(tokens, line);
    return {
      ...r,
      key: key ?? r.key,
      headers: [...(r.headers ?? []), ...headers],
      ...(partition === undefined ? {} : { partition }),
    };
  };
}

export function produceCommand(program: Command): void {
  clientOptions(
    program
      .command("produce")
      .description("write records read from stdin (or --file), one per line")
      .argument("<topic>")
      .option(
        "-f, --format <format>",
        'how a line reads: %k %v %p %d %h (JSON) and literals, or "json"',
      )
      .option("-K, --key-separator <sep>", "key and value split at the first <sep>")
      .option("-k, --key <key>", "the key of every record")
      .option("-H, --header <key=value>", "a header on every record (repeatable)", collect, [])
      .option("-p, --partition <n>", "write every record to this partition")
      .addOption(
        new Option("-z, --compression <codec>", "batch compression")
          .choices(Object.keys(CompressionCodec))
          .default("none"),
      )
      .addOption(
        new Option("--acks <acks>", "-1 (all), 1 or 0")
          .choices(["-1", "all", "1", "0"])
          .default("-1"),
      )
      .option("--no-idempotence", "no producer id and sequence numbers (needed for acks 0 and 1)")
      .option("--file <path>", "read this file instead of stdin")
      .option("-q, --quiet", "print no summary"),
    { output: false },
  ).action((topic: string, o: ProduceFlags) =>
    withClient(o, async (client, io) => {
      const parse = lineParser(o);
      const acks = o.acks === "all" ? -1 : (Number(o.acks) as -1 | 0 | 1);
      const producer = await Producer.create(client, topic, {
        acks,
        compression: CompressionCodec[o.compression] as CompressionCodecId,
        idempotent: o.idempotence && acks === -1,
        retries: 5,
      });
      const input = o.file === undefined ? process.stdin : createReadStream(o.file);
      const progress = new Progress("produced");
      let chunk: ProduceRecord[] = [];
      let bytes = 0;
      let total = 0;
      const flush = async () => {
        if (chunk.length === 0) return;
        await producer.send(chunk);
        total += chunk.length;
        progress.update(total);
        chunk = [];
        bytes = 0;
      };
      for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
        chunk.push(parse(line));
        bytes += line.length;
        if (chunk.length >= CHUNK_RECORDS || bytes >= CHUNK_BYTES) await flush();
      }
      await flush();
      progress.done();
      if (o.quiet !== true) {
        const rows = producer.summary();
        process.stderr.write(
          `${render(io.format, rows, () =>
            table(
              ["partition", "records", "first-offset", "last-offset"],
              rows.map((r) => [r.partition, r.records, r.firstOffset, r.lastOffset]),
            ),
          )}\n`,
        );
      }
      return EXIT.OK;
    }),
  );
}
