/**
 * Names every source accepts without a warning although they are not settings.
 */

/**
 * Properties of a Kafka server.properties that mean nothing for a single-node broker
 * (roles, quorum, thread pools, replication of internal topics): accepted with one info
 * line, not reported, so Kafka's sample file loads quietly.
 */
export const IGNORED_PROPERTIES: ReadonlySet<string> = new Set([
  "process.roles",
  "controller.quorum.voters",
  "controller.quorum.bootstrap.servers",
  "controller.listener.names",
  "num.network.threads",
  "num.io.threads",
  "socket.send.buffer.bytes",
  "socket.receive.buffer.bytes",
  "num.recovery.threads.per.data.dir",
  "offsets.topic.replication.factor",
  "transaction.state.log.replication.factor",
  "transaction.state.log.min.isr",
  "share.coordinator.state.topic.replication.factor",
  "share.coordinator.state.topic.min.isr",
  "default.replication.factor",
  "zookeeper.connect",
  "zookeeper.connection.timeout.ms",
]);

/**
 * LOGBOOK_* variables that are switches of the CLI, the tests or the tools, not
 * settings: never taken for a mistyped setting.
 */
export const SWITCH_VARIABLES: ReadonlySet<string> = new Set([
  "LOGBOOK_CONFIG",
  "LOGBOOK_DEBUG_FRAMES",
  "LOGBOOK_FAIL_NEXT",
  "LOGBOOK_TEST_FS_FAULT",
  "LOGBOOK_ARGS",
  "LOGBOOK_JAVA_CLIENT",
  "LOGBOOK_VENV_PYTHON",
  "LOGBOOK_FUZZ_SEED",
  "LOGBOOK_FUZZ_MS",
  "LOGBOOK_CRASH_SEED",
  "LOGBOOK_DURABILITY_SEED",
  "LOGBOOK_DURABILITY_CYCLES",
  // Where the tests' throwaway PostgreSQL finds its binaries (scripts/postgres/server.ts).
  "LOGBOOK_PG_BIN",
  // The client commands' (docs/cli.md), which a shell may export beside a broker's.
  "LOGBOOK_BROKERS",
  "LOGBOOK_PROFILE",
  "LOGBOOK_PROFILES",
  "LOGBOOK_SASL_USERNAME",
  "LOGBOOK_SASL_PASSWORD",
  "LOGBOOK_USER_PASSWORD",
]);
