/** `logbook acl create|list|delete`: ACL bindings through CreateAcls, DescribeAcls, DeleteAcls. */
import {
  type AclBinding,
  type AclOutcome,
  createAcls,
  deleteAcls,
  describeAcls,
  operationName,
  patternTypeName,
  permissionName,
  resourceTypeName,
} from "@logbook/client";
import type { Command } from "commander";
import { type Cell, render, table } from "../output.js";
import { type AclResourceFlags, bindingsOf, filterNamesNothing, filterOf } from "./acl-args.js";
import {
  type ClientFlags,
  type CommandIo,
  clientOptions,
  EXIT,
  withClient,
} from "./client-command.js";
import { collect } from "./parse-args.js";
import { UsageError } from "./usage-error.js";

const HEADERS = [
  "resource-type",
  "name",
  "pattern",
  "principal",
  "host",
  "operation",
  "permission",
];

/** A binding as names, the way the table and json/yaml show it. */
function named(b: AclBinding) {
  return {
    resourceType: resourceTypeName(b.resourceType),
    name: b.resourceName,
    pattern: patternTypeName(b.patternType),
    principal: b.principal,
    host: b.host,
    operation: operationName(b.operation),
    permission: permissionName(b.permission),
  };
}

function cells(b: AclBinding): Cell[] {
  return Object.values(named(b));
}

/** Sorted by every column, so two brokers' answers for the same state print the same. */
function sorted<T>(items: readonly T[], binding: (t: T) => AclBinding): T[] {
  const key = (t: T) => cells(binding(t)).join("\u0000");
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function printOutcomes(io: CommandIo, outcomes: readonly AclOutcome[]): number {
  const rows = sorted(outcomes, (o) => o.binding);
  const withMessage = rows.some((o) => o.message !== null);
  io.print(
    render(
      io.format,
      rows.map((o) => ({ ...named(o.binding), status: o.status, message: o.message })),
      () =>
        table(
          [...HEADERS, "status", ...(withMessage ? ["message"] : [])],
          rows.map((o) => [
            ...cells(o.binding),
            o.status,
            ...(withMessage ? [o.message ?? ""] : []),
          ]),
        ),
    ),
  );
  return outcomes.every((o) => o.status === "OK") ? EXIT.OK : EXIT.FAILED;
}

/** The resource flags create, list and delete share. */
function resourceOptions(cmd: Command, patternDefault: string, patterns: string): Command {
  return cmd
    .option("--topic <name>", "a topic (repeatable on create)", collect, [])
    .option("--group <name>", "a consumer group (repeatable on create)", collect, [])
    .option("--transactional-id <id>", "a transactional id (repeatable on create)", collect, [])
    .option("--cluster", "the cluster")
    .option("--pattern <type>", `resource pattern: ${patterns} (default ${patternDefault})`)
    .option(
      "--operation <op>",
      "READ, WRITE, CREATE, DESCRIBE, ... (repeatable on create)",
      collect,
      [],
    )
    .option("--host <host>", "the client host the entry is for (default * on create)");
}

type FilterFlags = ClientFlags & AclResourceFlags & { principal?: string; permission?: string };

export function aclCommand(program: Command): void {
  const acl = program.command("acl").description("create, list and delete ACLs");

  clientOptions(
    resourceOptions(
      acl
        .command("create")
        .description("add ACLs: every principal x operation x resource given")
        .option(
          "--allow <principal>",
          "allow this principal, e.g. User:alice (repeatable)",
          collect,
          [],
        )
        .option("--deny <principal>", "deny this principal (repeatable)", collect, []),
      "literal",
      "literal|prefixed",
    ),
  ).action((o: ClientFlags & AclResourceFlags & { allow: string[]; deny: string[] }) =>
    withClient(o, async (client, io) => printOutcomes(io, await createAcls(client, bindingsOf(o)))),
  );

  const filterCommand = (name: string, description: string) =>
    clientOptions(
      resourceOptions(
        acl
          .command(name)
          .description(description)
          .option("--principal <principal>", "only this principal, e.g. User:alice")
          .option("--permission <p>", "only allow or deny"),
        "any",
        "any|match|literal|prefixed",
      ),
    );

  filterCommand("list", "list the ACLs that match the filter (all without one)")
    .alias("ls")
    .action((o: FilterFlags) =>
      withClient(o, async (client, io) => {
        const bindings = sorted(await describeAcls(client, filterOf(o)), (b) => b);
        io.print(render(io.format, bindings.map(named), () => table(HEADERS, bindings.map(cells))));
        return EXIT.OK;
      }),
    );

  filterCommand("delete", "delete the ACLs that match the filter, and list them").action(
    (o: FilterFlags) =>
      withClient(o, async (client, io) => {
        const filter = filterOf(o);
        if (filterNamesNothing(filter))
          throw new UsageError(
            "delete needs a filter: a resource, --principal, --operation, --host or --permission",
          );
        return printOutcomes(io, await deleteAcls(client, filter));
      }),
  );
}
