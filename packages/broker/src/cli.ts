#!/usr/bin/env node
/**
 * The `logbook` command. `logbook start` loads the configuration (flags > LOGBOOK_*
 * environment > --config file > defaults), starts the broker, prints one ready line on
 * stdout, logs JSON lines on stderr, and on SIGINT/SIGTERM stops cleanly (stop
 * accepting, finish in-flight requests, flush and checkpoint) and exits 0. The other
 * commands (cli/commands/) are clients: they speak the Kafka protocol to any broker.
 */
import { readFileSync } from "node:fs";
import { createLogger, type Logger, monotonicMs } from "@logbook/storage";
import { Command } from "commander";
import { Broker } from "./broker.js";
import { ConfigError, type LoadedConfig, loadConfig } from "./cli/load-config.js";
import { BROKER_SETTINGS, envVarName } from "./config/schema.js";
import { codeCacheHook } from "./launcher/code-cache-hook.js";

/** ms from process start to here: Node's own start plus loading this module graph. */
const modulesLoadedMs = monotonicMs();

/** `--data-dir` -> `dataDir`, the key commander stores the option under. */
function optionKey(flag: string): string {
  return flag.replace(/^--/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function packageVersion(): string {
  // dist/cli.js and src/cli.ts both sit one level below the package root.
  const pkg: unknown = JSON.parse(
    readFileSync(new URL("../package.json", import.meta.url), "utf8"),
  );
  const v = typeof pkg === "object" && pkg !== null ? Reflect.get(pkg, "version") : undefined;
  return typeof v === "string" ? v : "0.0.0";
}

/** `{ a: 1.234 }` -> `{ "startupMs.a": 1.2 }`: log fields are flat. */
function startupFields(phases: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(phases).map(([k, v]) => [`startupMs.${k}`, Math.round(v * 10) / 10]),
  );
}

function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

async function start(loaded: LoadedConfig, logger: Logger, configLoadedMs: number): Promise<void> {
  const { config } = loaded;
  // Signal handlers go in before anything else: a signal that arrives between the ready
  // line and their installation would otherwise kill the process uncleanly.
  let broker: Broker | undefined;
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn("second signal during shutdown: exiting without a clean stop", { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info("stopping", { signal });
    // Before the broker is up there is nothing to flush; start() checks `stopping`.
    if (broker === undefined) return;
    broker.stop().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (e: unknown) => {
        logger.error("clean stop failed", { error: e instanceof Error ? e.message : String(e) });
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);

  let started: Broker;
  try {
    started = await Broker.start(config, logger);
  } catch (e) {
    logger.error("broker failed to start", { error: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  }
  broker = started;
  if (stopping) {
    await started.stop();
    logger.info("stopped");
    process.exit(0);
  }
  const { host, port } = started.address;
  logger.info("listening", {
    host,
    port,
    advertised: formatHostPort(started.advertised.host, started.advertised.port),
    listeners: started.listeners
      .map((l) => {
        const adv = started.advertisedFor(l.name);
        const told =
          adv === null ? "not advertised" : `advertised ${formatHostPort(adv.host, adv.port)}`;
        return `${l.name}://${formatHostPort(l.host, l.port)} (${l.securityProtocol}, ${told})`;
      })
      .join(", "),
    dataDir: config.dataDir,
    codeCache: codeCacheHook()?.state ?? "unbundled",
    // Where start-up went, in ms (docs/performance.md, "Start-up and footprint").
    ...startupFields({
      nodeAndModules: modulesLoadedMs,
      config: configLoadedMs - modulesLoadedMs,
      ...started.startupPhasesMs,
      total: monotonicMs(),
    }),
    ...(started.consoleUrl === null ? {} : { console: started.consoleUrl }),
    ...(started.metricsAddress === null
      ? {}
      : {
          metrics: `http://${formatHostPort(started.metricsAddress.host, started.metricsAddress.port)}/metrics`,
        }),
  });
  // The one line on stdout: scripts and the test harness wait for it (and read the port).
  process.stdout.write(`logbook ready on ${formatHostPort(host, port)} (data ${config.dataDir})\n`);
  setTimeout(() => flushCodeCache(logger), CODE_CACHE_FLUSH_MS).unref();
}

/**
 * The launcher (bundle/logbook.js) keeps V8's code cache of the bundle, written a moment
 * after start-up so that it holds the functions start-up and the first requests compiled.
 * Not on the ready path: the write is synchronous. Nothing to do when the CLI runs
 * unbundled.
 */
const CODE_CACHE_FLUSH_MS = 2000;
function flushCodeCache(logger: Logger): void {
  const error = codeCacheHook()?.flush();
  if (error !== undefined)
    logger.warn("could not write the code cache; the next start compiles the bundle again", {
      error: error.message,
      hint: "NODE_COMPILE_CACHE=<dir> puts it elsewhere, NODE_DISABLE_COMPILE_CACHE=1 turns it off",
    });
}

async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command("logbook")
    .description("A Kafka wire-protocol compatible event-log broker")
    .version(packageVersion());
  const cmd = program
    .command("start")
    .description("start the broker and serve until SIGINT/SIGTERM")
    .option("--config <file>", "Kafka-style properties file (env: LOGBOOK_CONFIG)")
    .option(
      "-o, --override <key=value>",
      "set any property, e.g. -o num.partitions=3 (repeatable)",
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    );
  for (const s of BROKER_SETTINGS) {
    if (s.flag === undefined) continue;
    cmd.option(
      `${s.flag} <value>`,
      `${s.doc} (default ${s.defaultText}; env ${envVarName(s.name)})`,
    );
  }
  cmd.addHelpText(
    "after",
    "\nEvery setting (see README.md, Configuration) can also be given as -o name=value,\n" +
      "in the --config file, or as LOGBOOK_NAME (upper case, dots as underscores).",
  );
  cmd.action(async (opts: Record<string, unknown>) => {
    const cli: [string, string][] = [];
    for (const s of BROKER_SETTINGS) {
      if (s.flag === undefined) continue;
      const v = opts[optionKey(s.flag)];
      if (typeof v === "string") cli.push([s.name, v]);
    }
    let loaded: LoadedConfig;
    try {
      loaded = loadConfig({
        cli,
        overrides: opts.override as string[],
        env: process.env,
        configFile: typeof opts.config === "string" ? opts.config : undefined,
      });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      process.stderr.write(`logbook: ${e.message}\n`);
      process.exit(2);
    }
    const logger = createLogger(loaded.logLevel);
    for (const w of loaded.warnings) logger.warn(w);
    if (loaded.ignored.length > 0)
      logger.info("ignored properties that do not apply to a single node", {
        properties: loaded.ignored.join(","),
      });
    process.on("uncaughtException", (e) => {
      logger.error("uncaught exception", { error: e.stack ?? e.message });
      process.exit(1);
    });
    await start(loaded, logger, monotonicMs());
  });
  // The client commands (a Kafka client, YAML output) are loaded only when the command
  // line is not `logbook start`, which should not pay for them at start-up.
  if (argv[2] !== "start") (await import("./cli/commands/index.js")).addClientCommands(program);
  return program;
}

// Not a top-level await: the bundle is CommonJS (bundle/main.cjs, run by the launcher).
// A rejection still ends the process with its stack, as an unhandled one does.
void buildProgram(process.argv).then((program) => program.parseAsync(process.argv));
