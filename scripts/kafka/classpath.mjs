#!/usr/bin/env node
// Resolves the reference Kafka (pom.xml beside this file) with Maven and prints its
// runtime classpath. The JARs stay in Maven's local repository; the classpath is cached
// in scripts/kafka/.classpath (git-ignored) and resolved again when pom.xml changes.
// Used by integration-tests/helpers/kafka-process.ts and by .ci/run (to fetch once).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const here = new URL(".", import.meta.url).pathname;

/** The classpath of the module whose pom.xml is in `dir` (cached in `dir`/.classpath). */
export function mavenClasspath(moduleDir) {
  // Maven resolves -Dmdep.outputFile against the module, so paths must be absolute.
  const dir = resolve(moduleDir);
  const pom = join(dir, "pom.xml");
  const cache = join(dir, ".classpath");
  if (existsSync(cache) && statSync(cache).mtimeMs >= statSync(pom).mtimeMs) {
    const cp = readFileSync(cache, "utf8").trim();
    if (cp !== "" && cp.split(":").every((jar) => existsSync(jar))) return cp;
  }
  try {
    execFileSync(
      "mvn",
      ["-q", "-B", "-f", pom, "dependency:build-classpath", `-Dmdep.outputFile=${cache}`],
      { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 },
    );
  } catch (e) {
    // Maven reports resolution failures on stdout.
    throw new Error(`mvn could not resolve ${pom}:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  }
  return readFileSync(cache, "utf8").trim();
}

export function kafkaClasspath() {
  return mavenClasspath(here);
}

export const KAFKA_LOG4J = join(here, "log4j2.properties");

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${kafkaClasspath()}\n`);
}
