/**
 * Interop matrix, current kafka-python column: the newest kafka-python from PyPI with
 * the codec packages it imports (python-snappy/cramjam, lz4, zstandard) and crc32c,
 * pinned in integration-tests/python/requirements.txt and installed into
 * integration-tests/.venv by helpers/venv.ts, driven by the same
 * drivers/kafka_python_scenarios.py as Debian's 2.0.2 column. Unlike 2.0.2 it has an
 * idempotent and a transactional producer and read_committed, so every cell runs.
 */
import { join } from "node:path";
import { venvPython } from "../helpers/venv.js";
import { drivenMatrix, runDriver } from "./driven.js";

const DRIVER = join(import.meta.dirname, "drivers/kafka_python_scenarios.py");

const driver = async (args: string[]) =>
  runDriver("kafka_python_scenarios.py", await venvPython(), [DRIVER, ...args]);

drivenMatrix({
  client: "kafka-python (PyPI)",
  src: "kafka-python",
  version: async () => String(await driver(["version"])),
  run: (env, scenario, topic, extra) => driver([scenario, env.broker.bootstrap, topic, ...extra]),
});
