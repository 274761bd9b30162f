/**
 * What every client command shares: the options that say where the cluster is and how
 * to print, one connection for the command's run, and exit codes a script can rely on:
 * 0 done; 1 the broker refused (a Kafka error; the message names it) or an item failed;
 * 2 a usage error; 3 no broker could be reached or a connection failed (TLS included).
 * A refused SASL login is the broker's error, so 1.
 */
import {
  AddressError,
  type ClientOptions,
  ConnectionError,
  KafkaClient,
  KafkaError,
} from "@logbook/client";
import { type Command, Option } from "commander";
import { FORMATS, type Format } from "../output.js";
import { resolveProfile } from "./profiles.js";
import { resolveSecurity, type SecurityFlags, securityOptions } from "./security-flags.js";
import { UsageError } from "./usage-error.js";

export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, UNREACHABLE: 3 } as const;

export interface ClientFlags extends SecurityFlags {
  brokers?: string;
  /** Kafka's tools' name for --brokers. */
  bootstrapServer?: string;
  profile?: string;
  /** table|json|yaml; absent on produce and consume (table). */
  format?: Format | string;
  clientId: string;
  timeout: string;
}

/**
 * Adds the shared options to a client command; `output: false` for produce and consume,
 * whose `-f/--format` is a record format instead.
 */
export function clientOptions(cmd: Command, { output = true } = {}): Command {
  cmd
    .option("-b, --brokers <list>", "bootstrap servers, host:port,... (env LOGBOOK_BROKERS)")
    .option("--bootstrap-server <list>", "the same as --brokers (the name Kafka's tools use)")
    .option("--profile <name>", "a profile of the profile file (env LOGBOOK_PROFILE)")
    .option("--client-id <id>", "client id sent to the broker", "logbook-cli")
    .option("--timeout <ms>", "connect and request timeout in ms", "30000");
  securityOptions(cmd);
  if (output)
    cmd.addOption(
      new Option("--format <format>", "output format").choices(FORMATS).default("table"),
    );
  return cmd;
}

export interface CommandIo {
  readonly format: Format;
  /** Prints one block of output on stdout. */
  print(text: string): void;
}

/**
 * Runs `body` with a connected client and sets the exit code: the number `body` returns
 * (EXIT.FAILED when some item failed), or the code for what it threw.
 */
export async function withClient(
  flags: ClientFlags,
  body: (client: KafkaClient, io: CommandIo) => Promise<number | undefined>,
): Promise<void> {
  const io: CommandIo = {
    format: FORMATS.find((f) => f === flags.format) ?? "table",
    print: (text) => {
      if (text !== "") process.stdout.write(`${text}\n`);
    },
  };
  let client: KafkaClient | undefined;
  try {
    client = await KafkaClient.connect(await clientSettings(flags));
    process.exitCode = (await body(client, io)) ?? EXIT.OK;
  } catch (e) {
    process.exitCode = exitCodeOf(e);
    process.stderr.write(`logbook: ${(e as Error).message}\n`);
  } finally {
    await client?.close();
  }
}

/** Where the cluster is and how to connect, from the flags, the environment and the profile. */
export async function clientSettings(flags: ClientFlags): Promise<ClientOptions> {
  const timeoutMs = Number(flags.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    throw new UsageError(`--timeout must be a positive whole number of ms, got ${flags.timeout}`);
  const given = flags.brokers ?? flags.bootstrapServer;
  if (flags.bootstrapServer !== undefined && flags.bootstrapServer !== given)
    throw new UsageError("--brokers and --bootstrap-server name different servers; give one");
  const { brokers, profile } = await resolveProfile(given, flags.profile, process.env);
  const security = await resolveSecurity(flags, process.env, profile);
  return { brokers: brokers.split(","), clientId: flags.clientId, timeoutMs, ...security };
}

export function exitCodeOf(e: unknown): number {
  if (e instanceof UsageError) return EXIT.USAGE;
  if (e instanceof ConnectionError) return EXIT.UNREACHABLE;
  if (e instanceof KafkaError) return EXIT.FAILED;
  if (e instanceof AddressError) return EXIT.USAGE;
  throw e;
}
