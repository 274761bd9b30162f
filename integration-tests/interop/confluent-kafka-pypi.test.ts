/**
 * Interop matrix, current librdkafka column: the newest confluent-kafka from PyPI (its
 * wheel bundles its own current librdkafka), pinned in integration-tests/python/
 * requirements.txt and installed into integration-tests/.venv by helpers/venv.ts, driven
 * by the same drivers/confluent_scenarios.py as Debian's 2.0.2 column.
 */
import { join } from "node:path";
import { venvPython } from "../helpers/venv.js";
import { drivenMatrix, runDriver } from "./driven.js";

const DRIVER = join(import.meta.dirname, "drivers/confluent_scenarios.py");
const driver = async (args: string[]) =>
  runDriver("confluent_scenarios.py", await venvPython(), [DRIVER, ...args]);

drivenMatrix({
  client: "confluent-kafka (PyPI)",
  src: "confluent-kafka-python",
  version: async () => String(await driver(["version"])),
  run: (env, scenario, topic, extra) => driver([scenario, env.broker.bootstrap, topic, ...extra]),
});
