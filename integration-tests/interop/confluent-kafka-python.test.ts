/**
 * Interop matrix, librdkafka column: Debian's python3-confluent-kafka (librdkafka 2.0.2)
 * under /usr/bin/python3, driven by drivers/confluent_scenarios.py. .ci/run installs it.
 */
import { join } from "node:path";
import { before } from "node:test";
import { PYTHON, requirePythonModule } from "../helpers/groups.js";
import { drivenMatrix, runDriver } from "./driven.js";

const DRIVER = join(import.meta.dirname, "drivers/confluent_scenarios.py");

before(() => requirePythonModule("confluent_kafka"));

drivenMatrix({
  client: "confluent-kafka-python",
  src: "confluent-kafka-python",
  version: async () =>
    String(await runDriver("confluent_scenarios.py", PYTHON, [DRIVER, "version"])),
  run: (env, scenario, topic, extra) =>
    runDriver("confluent_scenarios.py", PYTHON, [
      DRIVER,
      scenario,
      env.broker.bootstrap,
      topic,
      ...extra,
    ]),
});
