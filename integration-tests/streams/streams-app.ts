/**
 * Compiles and runs the Java programs of this Maven module (WordCountApp, Feed,
 * ReadCommitted, InternalTopics) for kafka-streams.test.ts. Maven resolves the
 * dependencies once (classpath cached in .classpath); javac compiles src/ into
 * target/classes when a source is newer than its class (~2 s), nothing is packaged.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { KAFKA_LOG4J, mavenClasspath } from "../../scripts/kafka/classpath.mjs";
import { killOnExit } from "../../scripts/kill-on-exit.js";
import type { ToolResult } from "../helpers/kafka-process.js";
import { runProcess } from "../helpers/run-process.js";

const MODULE = new URL(".", import.meta.url).pathname;
const SOURCES = join(MODULE, "src/main/java/dev/logbook/streams");
const CLASSES = join(MODULE, "target/classes");
const PACKAGE = "dev.logbook.streams";

let classpath: string | undefined;

/** The module's runtime classpath, its classes compiled first when stale. */
export function streamsClasspath(): string {
  if (classpath !== undefined) return classpath;
  const deps = mavenClasspath(MODULE);
  const sources = readdirSync(SOURCES).filter((f) => f.endsWith(".java"));
  const stale = sources.some((f) => {
    const cls = join(CLASSES, "dev/logbook/streams", f.replace(/\.java$/, ".class"));
    return !existsSync(cls) || statSync(cls).mtimeMs < statSync(join(SOURCES, f)).mtimeMs;
  });
  if (stale) {
    execFileSync(
      "javac",
      ["--release", "17", "-cp", deps, "-d", CLASSES, ...sources.map((f) => join(SOURCES, f))],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
  }
  classpath = `${CLASSES}:${deps}`;
  return classpath;
}

function javaArgs(main: string, args: string[]): string[] {
  return [
    "-Xmx256m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    `-Dlog4j2.configurationFile=${KAFKA_LOG4J}`,
    "-cp",
    streamsClasspath(),
    `${PACKAGE}.${main}`,
    ...args,
  ];
}

/** Runs one of the module's programs to its end. */
export async function runStreamsTool(
  main: string,
  args: string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<ToolResult> {
  return runProcess("java", javaArgs(main, args), {
    input: opts.input ?? "",
    timeoutMs: opts.timeoutMs ?? 180_000,
  });
}

export interface StreamsApp {
  stdout(): string;
  stderr(): string;
  /** Resolves once the app has printed "state STATE" (rejects if it exits first). */
  waitForState(state: string, timeoutMs?: number): Promise<void>;
  /** SIGKILL: no close, no commit, no LeaveGroup. */
  kill(): Promise<void>;
  /** SIGTERM: KafkaStreams.close() from the shutdown hook; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export function startWordCount(bootstrap: string, appId: string, stateDir: string): StreamsApp {
  const child: ChildProcess = killOnExit(
    spawn("java", javaArgs("WordCountApp", [bootstrap, appId, stateDir]), {
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  // "close", not "exit": stdout is then fully read (the last state line included).
  const exited = new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    stdout: () => out,
    stderr: () => err,
    async waitForState(state, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!out.split("\n").includes(`state ${state}`)) {
        if (!alive()) throw new Error(`streams app exited:\n${out}\n${err}`);
        if (Date.now() > deadline) throw new Error(`streams app not ${state}:\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async kill() {
      if (alive()) child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (alive()) child.kill("SIGTERM");
      return exited;
    },
  };
}

export interface JavaProcess {
  /** Resolves once stdout has a line equal to `line` (rejects if the process exits first). */
  waitForLine(line: string, timeoutMs?: number): Promise<void>;
  /** Writes one line to stdin. */
  send(line: string): void;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  kill(): void;
}

/** Starts one of the module's programs with stdin open, for a conversation. */
export function startJavaProgram(main: string, args: string[]): JavaProcess {
  const child = killOnExit(
    spawn("java", javaArgs(main, args), { stdio: ["pipe", "pipe", "pipe"] }),
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  // "close", not "exit": stdout is then fully read (the last state line included).
  const exited = new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  return {
    async waitForLine(line, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!out.split("\n").includes(line)) {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`${main} exited:\n${out}\n${err}`);
        if (Date.now() > deadline)
          throw new Error(`${main} did not print ${line}:\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    send(line) {
      child.stdin.write(`${line}\n`);
    },
    stdout: () => out,
    stderr: () => err,
    exited,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}
