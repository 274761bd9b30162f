/**
 * Builds and runs the Java drivers of this directory against a given kafka-clients
 * version: Maven resolves the version's classpath (`-Dkafka.clients.version`), javac
 * compiles the sources against it into .cache/<version>/ (git-ignored), and both are
 * reused while the sources and pom.xml are unchanged, so only a file's first run pays
 * for Maven and javac.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { drivenMatrix, runDriver } from "../interop/driven.js";

const HERE = import.meta.dirname;
const SOURCES = join(HERE, "src/main/java/dev/logbook/java");
const POM = join(HERE, "pom.xml");

/** The kafka-clients versions the tests run: the current one and the last 3.x. */
export const KAFKA_CLIENTS = { current: "4.4.0", previous: "3.9.1" } as const;

/**
 * The version the java-*.test.ts checks run with: the current client unless
 * LOGBOOK_JAVA_CLIENT names another (e.g. 3.9.1, to run them with the 3.x client).
 */
export const JAVA_CHECKS_CLIENT: string = process.env.LOGBOOK_JAVA_CLIENT ?? KAFKA_CLIENTS.current;

/** Flags for a short-lived client JVM: quick start, small heap. */
const JVM_FLAGS = ["-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"];

function sources(): string[] {
  return readdirSync(SOURCES)
    .filter((f) => f.endsWith(".java"))
    .map((f) => join(SOURCES, f));
}

/** The newest modification time among the inputs of a build. */
function inputsMtime(): number {
  return Math.max(...[POM, ...sources()].map((f) => statSync(f).mtimeMs));
}

const built = new Map<string, string>();

/**
 * The classpath (compiled drivers first) for `version`, building it when missing or
 * older than the sources. A build goes to a temporary directory renamed into place, so
 * two test files building at once never see half of one.
 */
export function javaClasspath(version: string): string {
  const known = built.get(version);
  if (known !== undefined) return known;
  const dir = join(HERE, ".cache", version);
  const cpFile = join(dir, "classpath");
  const classes = join(dir, "classes");
  const fresh =
    existsSync(cpFile) &&
    statSync(cpFile).mtimeMs >= inputsMtime() &&
    readFileSync(cpFile, "utf8")
      .trim()
      .split(":")
      .every((jar) => existsSync(jar));
  if (!fresh) {
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(join(tmp, "classes"), { recursive: true });
    const tmpCp = join(tmp, "classpath");
    try {
      execFileSync(
        "mvn",
        [
          "-q",
          "-B",
          "-f",
          POM,
          `-Dkafka.clients.version=${version}`,
          "dependency:build-classpath",
          `-Dmdep.outputFile=${tmpCp}`,
        ],
        { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 },
      );
      const deps = readFileSync(tmpCp, "utf8").trim();
      execFileSync(
        "javac",
        ["--release", "17", "-d", join(tmp, "classes"), "-cp", deps, ...sources()],
        { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 },
      );
      // Written last: its time stamp marks the build as complete.
      writeFileSync(tmpCp, deps);
    } catch (e) {
      const err = e as { stdout?: Buffer; stderr?: Buffer };
      rmSync(tmp, { recursive: true, force: true });
      throw new Error(
        `could not build the Java drivers for kafka-clients ${version}:\n${err.stdout ?? ""}${err.stderr ?? ""}`,
      );
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  }
  const cp = `${classes}:${readFileSync(cpFile, "utf8").trim()}`;
  built.set(version, cp);
  return cp;
}

/**
 * Runs driver `mainClass` (a class of dev.logbook.java) with kafka-clients `version`
 * (and JVM `systemProperties`, as -D flags); resolves with its "result" line's payload,
 * fails on a non-zero exit.
 */
export function runJava(
  version: string,
  mainClass: string,
  args: string[],
  timeoutMs = 90_000,
  systemProperties: Readonly<Record<string, string>> = {},
): Promise<unknown> {
  return runDriver(
    `java ${mainClass} (kafka-clients ${version})`,
    "java",
    javaArgs(version, mainClass, args, systemProperties),
    timeoutMs,
  );
}

/**
 * kafka-clients 3.x ships KIP-932's early-access share consumer, which speaks only v0 of
 * the share-group APIs; Kafka 4.x serves them from v1 (4.4.0: ShareGroupHeartbeat v1,
 * ShareFetch and ShareAcknowledge v1-v2), so it cannot share-consume from a Kafka 4 broker.
 */
const EARLY_SHARE_APIS = ["SHARE_GROUP_HEARTBEAT", "SHARE_FETCH", "SHARE_ACKNOWLEDGE"];
/** The `java` arguments that run driver `mainClass` with kafka-clients `version`. */
export function javaArgs(
  version: string,
  mainClass: string,
  args: string[],
  systemProperties: Readonly<Record<string, string>> = {},
): string[] {
  const props = Object.entries(systemProperties).map(([k, v]) => `-D${k}=${v}`);
  return [
    ...JVM_FLAGS,
    ...props,
    "-cp",
    javaClasspath(version),
    `dev.logbook.java.${mainClass}`,
    ...args,
  ];
}

/** The interop matrix's column for kafka-clients `version`, driven by Scenarios.java. */
export function javaMatrix(version: string): void {
  const earlyShare = version.startsWith("3.");
  drivenMatrix({
    client: `kafka-clients-${version}`,
    src: "kafka-clients",
    version: async () => String(await runJava(version, "Scenarios", ["version"])),
    run: (env, scenario, topic, extra) =>
      runJava(version, "Scenarios", [scenario, env.broker.bootstrap, topic, ...extra]),
    ...(earlyShare
      ? {
          notSupported: {
            "share-group": {
              reason: `kafka-clients ${version}'s KafkaShareConsumer is KIP-932's early access: it sends only v0 of ShareGroupHeartbeat, ShareFetch and ShareAcknowledge, which Kafka 4.x no longer serves (4.4.0 serves them from v1)`,
              probe: async () =>
                assert.deepEqual(
                  await runJava(version, "Scenarios", ["api-versions", ...EARLY_SHARE_APIS]),
                  Object.fromEntries(EARLY_SHARE_APIS.map((api) => [api, [0]])),
                ),
            },
          },
        }
      : {}),
  });
}
