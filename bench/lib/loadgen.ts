/**
 * The librdkafka load generator (bench/loadgen/loadgen.c): makes sure librdkafka-dev is
 * installed (apt-get, like .ci/run does for the test clients), compiles the C source
 * with gcc into node_modules/.cache/logbook-bench keyed by the source's hash, and runs
 * it, returning the one JSON line it prints.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./paths.js";

const SOURCE = join(REPO_ROOT, "bench/loadgen/loadgen.c");
const CACHE = join(REPO_ROOT, "node_modules/.cache/logbook-bench");
const HEADER = "/usr/include/librdkafka/rdkafka.h";

function ensureLibrdkafka(): void {
  if (existsSync(HEADER)) return;
  console.log("installing librdkafka-dev (apt-get) ...");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  spawnSync("apt-get", ["update"], { stdio: "ignore", env });
  const r = spawnSync("apt-get", ["install", "-y", "librdkafka-dev"], { stdio: "inherit", env });
  if (r.status !== 0 || !existsSync(HEADER))
    throw new Error("librdkafka-dev is missing and apt-get could not install it");
}

/** Path of the compiled load generator, building it when the source changed. */
export function buildLoadgen(): string {
  ensureLibrdkafka();
  const hash = createHash("sha256").update(readFileSync(SOURCE)).digest("hex").slice(0, 16);
  const binary = join(CACHE, `loadgen-${hash}`);
  if (existsSync(binary)) return binary;
  mkdirSync(CACHE, { recursive: true });
  const r = spawnSync(
    "gcc",
    ["-O2", "-Wall", "-Wextra", "-o", binary, SOURCE, "-lrdkafka", "-lpthread"],
    { stdio: "inherit" },
  );
  if (r.status !== 0) throw new Error("compiling bench/loadgen/loadgen.c failed");
  return binary;
}

/** Runs a child that prints one JSON line; rejects on a non-zero exit or no JSON. */
export function runJsonChild(
  command: string,
  args: string[],
  timeoutMs = 120_000,
): Promise<Record<string, number | string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const guard = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(guard);
      const line = out.trim().split("\n").pop() ?? "";
      let parsed: Record<string, number | string> | undefined;
      try {
        parsed = JSON.parse(line) as Record<string, number | string>;
      } catch {
        parsed = undefined;
      }
      if (code === 0 && parsed !== undefined) resolve(parsed);
      else
        reject(
          new Error(
            `${args.slice(0, 3).join(" ")} exited ${code ?? signal}: ${line}\n${err.slice(-2000)}`,
          ),
        );
    });
  });
}
