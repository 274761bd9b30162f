/**
 * Apache Kafka's message definitions as the reference Kafka ships them: the
 * `common/message/*.json` resources of the kafka-clients JAR that scripts/kafka/pom.xml
 * resolves, extracted at test time into a temporary directory (nothing is copied into
 * the repository).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kafkaClasspath } from "../kafka/classpath.mjs";

export interface JarSpecs {
  /** kafka-clients version, e.g. "4.4.0". */
  version: string;
  /** Directory holding the `*.json` definitions. */
  dir: string;
}

let extracted: JarSpecs | undefined;

/** Extracts the definitions once per process (Maven resolves the JAR on first use). */
export function kafkaJarSpecs(): JarSpecs {
  if (extracted !== undefined) return extracted;
  const jar = kafkaClasspath()
    .split(":")
    .find((p) => /\/kafka-clients-[^/]+\.jar$/.test(p));
  if (jar === undefined)
    throw new Error("the reference Kafka's classpath has no kafka-clients JAR");
  const version = /kafka-clients-([^/]+)\.jar$/.exec(jar)?.[1] ?? "unknown";
  const out = mkdtempSync(join(tmpdir(), "logbook-kafka-specs-"));
  // The JDK's own archive tool: present wherever the reference Kafka can run.
  execFileSync("jar", ["xf", jar, "common/message"], { cwd: out, stdio: "ignore" });
  const dir = join(out, "common/message");
  if (!existsSync(join(dir, "ProduceRequest.json"))) {
    throw new Error(`${jar} carries no common/message definitions`);
  }
  extracted = { version, dir };
  return extracted;
}
