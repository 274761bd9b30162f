/**
 * `logbook user create|list|delete`: SCRAM credentials through AlterUserScramCredentials
 * and DescribeUserScramCredentials. The new user's password is `--user-password` or env
 * LOGBOOK_USER_PASSWORD (`--password` is the login's own, as on every client command).
 */
import {
  alterScramUsers,
  DEFAULT_SCRAM_ITERATIONS,
  describeScramUsers,
  SCRAM_MECHANISMS,
  type ScramChange,
  type ScramMechanism,
  type ScramUserOutcome,
  scramMechanismByName,
} from "@logbook/client";
import type { Command } from "commander";
import { render, table } from "../output.js";
import {
  type ClientFlags,
  type CommandIo,
  clientOptions,
  EXIT,
  withClient,
} from "./client-command.js";
import { collect, wholeNumber } from "./parse-args.js";
import { UsageError } from "./usage-error.js";

const MECHANISM_NAMES = SCRAM_MECHANISMS.map((m) => m.name).join(", ");

function mechanisms(names: readonly string[]): ScramMechanism[] {
  return names.map(
    (n) =>
      scramMechanismByName(n.toUpperCase()) ??
      (() => {
        throw new UsageError(`--mechanism must be one of ${MECHANISM_NAMES}, got "${n}"`);
      })(),
  );
}

function printOutcomes(io: CommandIo, rs: readonly ScramUserOutcome[]): number {
  const withMessage = rs.some((r) => r.message !== null);
  io.print(
    render(io.format, rs, () =>
      table(
        ["user", "status", ...(withMessage ? ["message"] : [])],
        rs.map((r) => [r.user, r.status, ...(withMessage ? [r.message ?? ""] : [])]),
      ),
    ),
  );
  return rs.every((r) => r.status === "OK") ? EXIT.OK : EXIT.FAILED;
}

export function userCommand(program: Command): void {
  const user = program.command("user").description("create, list and delete SCRAM users");

  clientOptions(
    user
      .command("create")
      .description("set a user's SCRAM credential (replacing one of the same mechanism)")
      .argument("<name>")
      .option("--mechanism <name>", `${MECHANISM_NAMES} (repeatable)`, collect, [])
      .option("--iterations <n>", "PBKDF2 iterations", String(DEFAULT_SCRAM_ITERATIONS))
      .option("--user-password <password>", "the user's password (env LOGBOOK_USER_PASSWORD)"),
  ).action(
    (
      name: string,
      o: ClientFlags & { mechanism: string[]; iterations: string; userPassword?: string },
    ) =>
      withClient(o, async (client, io) => {
        const password = o.userPassword ?? process.env.LOGBOOK_USER_PASSWORD;
        if (password === undefined || password === "")
          throw new UsageError("give the password: --user-password or env LOGBOOK_USER_PASSWORD");
        const iterations = wholeNumber("--iterations", o.iterations, 1);
        const changes: ScramChange[] = mechanisms(
          o.mechanism.length === 0 ? ["SCRAM-SHA-256"] : o.mechanism,
        ).map((mechanism) => ({ kind: "upsert", user: name, mechanism, iterations, password }));
        return printOutcomes(io, await alterScramUsers(client, changes));
      }),
  );

  clientOptions(
    user
      .command("list")
      .alias("ls")
      .description("users with SCRAM credentials: mechanism and iterations")
      .argument("[names...]"),
  ).action((names: string[], o: ClientFlags) =>
    withClient(o, async (client, io) => {
      const users = await describeScramUsers(client, names.length === 0 ? null : names);
      io.print(
        render(io.format, users, () =>
          table(
            ["user", "mechanism", "iterations"],
            users.flatMap((u) => u.credentials.map((c) => [u.user, c.mechanism, c.iterations])),
          ),
        ),
      );
      return EXIT.OK;
    }),
  );

  clientOptions(
    user
      .command("delete")
      .description("delete a user's SCRAM credentials (every mechanism unless --mechanism)")
      .argument("<name>")
      .option("--mechanism <name>", `${MECHANISM_NAMES} (repeatable)`, collect, []),
  ).action((name: string, o: ClientFlags & { mechanism: string[] }) =>
    withClient(o, async (client, io) => {
      const chosen =
        o.mechanism.length > 0
          ? mechanisms(o.mechanism)
          : mechanisms(
              (await describeScramUsers(client, [name])).flatMap((u) =>
                u.credentials.map((c) => c.mechanism),
              ),
            );
      const changes: ScramChange[] = chosen.map((mechanism) => ({
        kind: "delete",
        user: name,
        mechanism,
      }));
      return printOutcomes(io, await alterScramUsers(client, changes));
    }),
  );
}
