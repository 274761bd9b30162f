/**
 * Interop matrix, kafka-python column: Debian's python3-kafka (2.0.2) under
 * /usr/bin/python3, driven by drivers/kafka_python_scenarios.py. .ci/run installs it,
 * with python3-snappy, python3-lz4 and python3-zstandard, which its codecs import.
 */
import { join } from "node:path";
import { before } from "node:test";
import { PYTHON, requirePythonModule } from "../helpers/groups.js";
import { drivenMatrix, runDriver } from "./driven.js";
import { kafkaPythonKafka4Groups, refusesOptions } from "./kafka-python-probes.js";

const DRIVER = join(import.meta.dirname, "drivers/kafka_python_scenarios.py");

before(() => requirePythonModule("kafka"));

drivenMatrix({
  client: "kafka-python",
  src: "kafka-python",
  version: async () =>
    String(await runDriver("kafka_python_scenarios.py", PYTHON, [DRIVER, "version"])),
  run: (env, scenario, topic, extra) =>
    runDriver("kafka_python_scenarios.py", PYTHON, [
      DRIVER,
      scenario,
      env.broker.bootstrap,
      topic,
      ...extra,
    ]),
  notSupported: {
    ...kafkaPythonKafka4Groups(async () => PYTHON),
    idempotent: {
      reason: "kafka-python 2.0.2 has no idempotent producer (it came in 2.1.0)",
      probe: () =>
        refusesOptions(PYTHON, [
          "KafkaProducer(bootstrap_servers='127.0.0.1:1', enable_idempotence=True)",
        ]),
    },
    transactions: {
      reason: "kafka-python 2.0.2 has no transactional producer and no read_committed isolation",
      probe: () =>
        refusesOptions(PYTHON, [
          "KafkaProducer(bootstrap_servers='127.0.0.1:1', transactional_id='t')",
          "KafkaConsumer(bootstrap_servers='127.0.0.1:1', isolation_level='read_committed')",
        ]),
    },
  },
});
