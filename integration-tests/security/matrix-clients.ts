/**
 * The clients of the security matrix (../security-matrix.test.ts), one row each: how the
 * client makes a round trip through an Endpoint (create the topic, produce v0..v2, read
 * them back in a group; a refusal is an Outcome, not a throw), and what it reports when
 * refused. To add a client, add a row; a driver with the secure-roundtrip command of
 * go/driverkit/secure.go (the Go drivers', @platformatic/kafka's) needs only
 * `secureRoundTripRow`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Kafka, logLevel, type SASLOptions } from "kafkajs";
import { buildFranzDriver, runFranz } from "../go/franz-driver.js";
import { sarama as saramaDriver } from "../go/sarama-driver.js";
import { JsonLinesProcess, requirePythonModule } from "../helpers/groups.js";
import { kafkajsErrorType } from "../helpers/kafkajs-errors.js";
import { kafkajsRoundTrip } from "../helpers/kafkajs-round-trip.js";
import { runProcess } from "../helpers/run-process.js";
import { runPlatformatic } from "../interop/platformatic-run.js";
import { JAVA_CHECKS_CLIENT, runJava } from "../java/java-driver.js";
import {
  asOutcome,
  bootstrapOf,
  driverEnv,
  type Endpoint,
  type Outcome,
  overTls,
  type SecurityProtocol,
} from "./endpoint.js";

/** What a client reports when refused, matched against "<error>: <message>" of its Outcome. */
export interface Refusals {
  /** Speaking SSL without SASL to the SASL_SSL listener. */
  readonly noCredentials: RegExp;
  readonly wrongPassword: RegExp;
  /** Authenticated, on a topic outside the principal's ACLs. */
  readonly deniedTopic: RegExp;
}

export interface MatrixClient {
  readonly name: string;
  /** Fails the calling hook or test when the client is not installed; builds drivers. */
  prepare(): void;
  roundTrip(endpoint: Endpoint, topic: string, group: string): Promise<Outcome>;
  readonly refused: Refusals;
  /**
   * Listener types this file also runs the client's round trip on; the others are in
   * tls-listeners.test.ts and sasl-listeners.test.ts.
   */
  readonly listeners: readonly SecurityProtocol[];
}

const messageOf = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

const kafkajs: MatrixClient = {
  name: "kafkajs",
  prepare() {},
  async roundTrip(e, topic, group) {
    const kafka = new Kafka({
      clientId: "security-matrix",
      brokers: [bootstrapOf(e)],
      logLevel: logLevel.NOTHING,
      retry: { retries: 1 },
      ...(overTls(e) ? { ssl: { ca: [readFileSync(e.ca, "utf8")] } } : {}),
      ...(e.sasl === undefined
        ? {}
        : {
            sasl: {
              mechanism: e.sasl.mechanism.toLowerCase(),
              username: e.sasl.username,
              password: e.sasl.password,
            } as SASLOptions,
          }),
    });
    try {
      return { values: await kafkajsRoundTrip(kafka, topic, group) };
    } catch (err) {
      const name = err instanceof Error ? err.name : "OTHER";
      return { error: kafkajsErrorType(err) ?? name, message: messageOf(err) };
    }
  },
  refused: {
    noCredentials: /^KafkaJSConnectionClosedError: .*Closed connection/,
    wrongPassword:
      /^KafkaJSSASLAuthenticationError: .*invalid credentials with SASL mechanism SCRAM-SHA-512/,
    deniedTopic: /^TOPIC_AUTHORIZATION_FAILED: /,
  },
  listeners: [],
};

/** librdkafka's property names, as confluent-kafka and kcat take them. */
function librdkafkaSettings(e: Endpoint): string[] {
  return [
    `security.protocol=${e.protocol}`,
    ...(overTls(e) ? [`ssl.ca.location=${e.ca}`] : []),
    ...(e.sasl === undefined
      ? []
      : [
          `sasl.mechanisms=${e.sasl.mechanism}`,
          `sasl.username=${e.sasl.username}`,
          `sasl.password=${e.sasl.password}`,
        ]),
  ];
}

/** Runs a python/ driver that may exit non-zero on a refusal; its result or error line. */
async function pythonOutcome(script: string, args: string[]): Promise<Outcome> {
  const p = JsonLinesProcess.python(script, script, args);
  const code = await p.done(90_000);
  const line = p.lines.find((l) => l.event === "result" || l.event === "error");
  if (line === undefined)
    throw new Error(`${script} exited with ${code} and no result; stderr:\n${p.stderr()}`);
  return asOutcome(script, line);
}

const confluentKafka: MatrixClient = {
  name: "confluent-kafka (librdkafka)",
  prepare: () => requirePythonModule("confluent_kafka"),
  roundTrip: (e, topic, group) =>
    pythonOutcome("tls_confluent.py", [
      bootstrapOf(e),
      topic,
      ...librdkafkaSettings(e),
      `group.id=${group}`,
    ]),
  refused: {
    // The broker closes the connection at the first request that is not SASL's, with a
    // TLS close_notify first as Kafka 4.4 does, which librdkafka reads as a hint.
    noCredentials: /^_TRANSPORT: .*Disconnected.*might require SASL authentication/,
    wrongPassword: /^_AUTHENTICATION: .*invalid credentials with SASL mechanism SCRAM-SHA-512/,
    deniedTopic: /^TOPIC_AUTHORIZATION_FAILED: /,
  },
  listeners: [],
};

const kcatRun = (args: string[], input?: string) =>
  runProcess("kcat", args, { ...(input === undefined ? {} : { input }), timeoutMs: 60_000 });

/** kcat prints librdkafka's errors as "% ERROR: ..." lines; the first one names the refusal. */
function kcatRefusal(stderr: string, code: number | null): Outcome {
  const first = stderr.split("\n").find((l) => /ERROR|FATAL|failed/i.test(l));
  return { error: (first ?? `kcat exited with ${code}`).trim(), message: stderr.slice(-2000) };
}

const kcat: MatrixClient = {
  name: "kcat (librdkafka)",
  prepare() {
    const r = spawnSync("kcat", ["-V"], { encoding: "utf8", timeout: 10_000 });
    if (r.error !== undefined)
      assert.fail(`kcat could not run (${r.error.message}): install it with apt-get install kcat`);
  },
  async roundTrip(e, topic, group) {
    const settings = librdkafkaSettings(e).flatMap((s) => ["-X", s]);
    const base = ["-b", bootstrapOf(e), ...settings];
    // Produce auto-creates the topic (Metadata), as kcat users do.
    const produced = await kcatRun(
      [...base, "-X", "message.timeout.ms=15000", "-P", "-t", topic],
      "v0\nv1\nv2\n",
    );
    if (produced.code !== 0 || produced.stderr.includes("ERROR"))
      return kcatRefusal(produced.stderr, produced.code);
    const read = await kcatRun([
      ...base,
      "-X",
      "auto.offset.reset=earliest",
      "-G",
      group,
      topic,
      "-c",
      "3",
      "-e",
      "-f",
      "%s\\n",
    ]);
    if (read.code !== 0) return kcatRefusal(read.stderr, read.code);
    return { values: read.stdout.trim().split("\n") };
  },
  refused: {
    // As confluent-kafka's (above).
    noCredentials: /Broker transport failure: .*(Receive failed|Disconnected)/,
    wrongPassword:
      /SASL authentication error: .*invalid credentials with SASL mechanism SCRAM-SHA-512/,
    deniedTopic: /Delivery failed for message: Broker: Topic authorization failed/,
  },
  listeners: [],
};

const kafkaPython: MatrixClient = {
  name: "kafka-python",
  prepare: () => requirePythonModule("kafka"),
  roundTrip: (e, topic, group) =>
    pythonOutcome("kafka_python_sasl.py", [
      bootstrapOf(e),
      topic,
      // kafka-python reads these only when security_protocol is SASL_*.
      e.sasl?.mechanism ?? "PLAIN",
      e.sasl?.username ?? "-",
      e.sasl?.password ?? "-",
      `security_protocol=${e.protocol}`,
      ...(overTls(e) ? [`ssl_cafile=${e.ca}`] : []),
      `group_id=${group}`,
      "max_block_ms=10000",
    ]),
  refused: {
    // The broker hangs up at the first request past ApiVersions; kafka-python raises that
    // at once or, retrying within its 10 s first-connection allowance, as a timeout, or,
    // when every probe of its version check met the hang-up, as UnrecognizedBrokerVersion;
    // the last error logged is the same disconnect (which one depends on timing).
    noCredentials:
      /^(KafkaConnectionError: .*|(KafkaTimeoutError|UnrecognizedBrokerVersion): .*last logged error: .*)socket disconnected/,
    // SASL v0 (bare tokens) has no frame for an error: the broker closes the connection
    // mid-exchange, which kafka-python logs while its client finds no broker.
    wrongPassword: /^NoBrokersAvailable: .*<authenticating>.*Connection reset/,
    deniedTopic: /^TopicAuthorizationFailedError: /,
  },
  listeners: ["SSL"],
};

/** The Java client's settings for an Endpoint (a PEM truststore, a JAAS line). */
function javaSettings(e: Endpoint): string[] {
  const module =
    e.sasl?.mechanism === "PLAIN"
      ? "org.apache.kafka.common.security.plain.PlainLoginModule"
      : "org.apache.kafka.common.security.scram.ScramLoginModule";
  return [
    `security.protocol=${e.protocol}`,
    ...(overTls(e) ? ["ssl.truststore.type=PEM", `ssl.truststore.location=${e.ca}`] : []),
    ...(e.sasl === undefined
      ? []
      : [
          `sasl.mechanism=${e.sasl.mechanism}`,
          `sasl.jaas.config=${module} required username="${e.sasl.username}" password="${e.sasl.password}";`,
        ]),
  ];
}

const java: MatrixClient = {
  name: "Java (kafka-clients)",
  prepare() {},
  async roundTrip(e, topic, group) {
    const result = await runJava(JAVA_CHECKS_CLIENT, "TlsChecks", [
      bootstrapOf(e),
      topic,
      ...javaSettings(e),
      `group.id=${group}`,
      // A refused client gives up after this long rather than the default minute.
      "default.api.timeout.ms=15000",
      "request.timeout.ms=15000",
    ]);
    return asOutcome("TlsChecks", result);
  },
  refused: {
    // The broker closes the connection; the Admin retries until its timeout.
    noCredentials: /^TimeoutException: Timed out waiting for a node assignment/,
    wrongPassword:
      /^SaslAuthenticationException: .*invalid credentials with SASL mechanism SCRAM-SHA-512$/,
    deniedTopic: /^TopicAuthorizationException: /,
  },
  listeners: [],
};

/**
 * A row for a driver that takes the secure-roundtrip contract of go/driverkit/secure.go:
 * `run(args, env)` runs `DRIVER secure-roundtrip BOOTSTRAP TOPIC GROUP` with `env` added.
 * Such a client is checked on every listener type here.
 */
export function secureRoundTripRow(
  name: string,
  prepare: () => void,
  run: (args: string[], env: Record<string, string>) => Promise<unknown>,
  refused: Refusals,
): MatrixClient {
  return {
    name,
    prepare,
    roundTrip: async (e, topic, group) =>
      asOutcome(name, await run(["secure-roundtrip", bootstrapOf(e), topic, group], driverEnv(e))),
    refused,
    listeners: ["PLAINTEXT", "SSL", "SASL_PLAINTEXT"],
  };
}

const franzGo = secureRoundTripRow("franz-go", buildFranzDriver, runFranz, {
  noCredentials: /^CONNECTION_CLOSED: .*SASL is required but not provided/,
  wrongPassword: /^SASL_AUTHENTICATION_FAILED: /,
  deniedTopic: /^TOPIC_AUTHORIZATION_FAILED: /,
});

// The kinds are go/saramadriver/security.go's names for sarama's errors: the Kafka name of
// the code in its KError, CONNECTION_CLOSED for its EOF.
const sarama = secureRoundTripRow("sarama", saramaDriver.build, saramaDriver.run, {
  // The broker hangs up at the first request that is not SASL's; sarama tries its one
  // broker and gives up.
  noCredentials:
    /^CONNECTION_CLOSED: kafka: client has run out of available brokers to talk to: EOF$/,
  wrongPassword:
    /^SASL_AUTHENTICATION_FAILED: .*SASL Authentication failed: .*invalid credentials with SASL mechanism SCRAM-SHA-512$/,
  deniedTopic:
    /^TOPIC_AUTHORIZATION_FAILED: create secret-sarama: .*not authorized to access this topic/,
});

// The same contract, in interop/drivers/platformatic-driver.ts.
const platformatic = secureRoundTripRow("@platformatic/kafka", () => {}, runPlatformatic, {
  noCredentials: /^PLT_KFK_NETWORK: .*Connection closed/,
  wrongPassword: /^SASL_AUTHENTICATION_FAILED: /,
  deniedTopic: /^TOPIC_AUTHORIZATION_FAILED: /,
});

const ALL_CLIENTS: readonly MatrixClient[] = [
  kafkajs,
  platformatic,
  confluentKafka,
  kcat,
  kafkaPython,
  java,
  franzGo,
  sarama,
];

/** SECURITY_MATRIX_CLIENTS=kcat,java runs only the rows whose names contain one of these. */
const only = process.env.SECURITY_MATRIX_CLIENTS?.split(",");

export const MATRIX_CLIENTS: readonly MatrixClient[] =
  only === undefined
    ? ALL_CLIENTS
    : ALL_CLIENTS.filter((c) => only.some((o) => c.name.includes(o)));
