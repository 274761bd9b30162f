/**
 * Interop matrix, current kafka-python column: the newest kafka-python from PyPI with
 * the codec packages it imports (python-snappy/cramjam, lz4, zstandard) and crc32c,
 * pinned in integration-tests/python/requirements.txt and installed into
 * integration-tests/.venv by helpers/venv.ts, driven by the same
 * drivers/kafka_python_scenarios.py as Debian's 2.0.2 column. Unlike 2.0.2 it has an
 * idempotent and a transactional producer and read_committed, so every cell runs except
 * the Kafka 4 group protocols, which no kafka-python speaks.
 */
import { join } from "node:path";
import { venvPython } from "../helpers/venv.js";
import { drivenMatrix, runDriver } from "./driven.js";
import { kafkaPythonKafka4Groups } from "./kafka-python-probes.js";
import type { ScenarioId } from "./matrix.js";

const DRIVER = join(import.meta.dirname, "drivers/kafka_python_scenarios.py");

const driver = async (args: string[]) =>
  runDriver("kafka_python_scenarios.py", await venvPython(), [DRIVER, ...args]);

/** Scenarios whose driver subscribes a consumer to a topic (all but three). */
const SUBSCRIBING: ScenarioId[] = [
  "keyed-headers",
  "codec-gzip",
  "codec-snappy",
  "codec-lz4",
  "codec-zstd",
  "group",
  "idempotent",
  "transactions",
  "large-record",
  "compacted",
];
const STALL =
  "the application asks for the topic's partitions before subscribing: kafka-python 3.0.12 otherwise joins first with an empty assignment, rejoins, and about 1 consumer in 40 then never fetches (no poll returns records; seen against Apache Kafka 4.4.0 as often as against Logbook, so a client bug)";

drivenMatrix({
  client: "kafka-python (PyPI)",
  src: "kafka-python",
  version: async () => String(await driver(["version"])),
  run: (env, scenario, topic, extra) => driver([scenario, env.broker.bootstrap, topic, ...extra]),
  notSupported: kafkaPythonKafka4Groups(venvPython),
  caveats: Object.fromEntries(SUBSCRIBING.map((id) => [id, STALL])),
});
