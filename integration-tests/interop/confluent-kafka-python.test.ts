/**
 * Interop matrix, librdkafka column: Debian's python3-confluent-kafka (librdkafka 2.0.2)
 * under /usr/bin/python3, driven by drivers/confluent_scenarios.py. .ci/run installs it.
 * Its librdkafka predates both Kafka 4 group protocols, whose cells are marked so.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { before } from "node:test";
import { PYTHON, requirePythonModule } from "../helpers/groups.js";
import { drivenMatrix, runDriver } from "./driven.js";

const DRIVER = join(import.meta.dirname, "drivers/confluent_scenarios.py");

before(() => requirePythonModule("confluent_kafka"));

/** Runs a Python snippet with Debian's confluent_kafka and returns what it printed. */
function python(script: string): string {
  const r = spawnSync(PYTHON, ["-c", `import confluent_kafka\n${script}`], {
    encoding: "utf8",
    timeout: 30_000,
  });
  return `${r.stdout}${r.stderr}`.trim();
}

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
  notSupported: {
    "group-consumer-protocol": {
      reason:
        "librdkafka 2.0.2 predates KIP-848 (librdkafka 2.12 serves group.protocol=consumer): it has no group.protocol property",
      probe: async () =>
        assert.match(
          python(
            'try:\n  confluent_kafka.Consumer({"group.id": "g", "group.protocol": "consumer"})\n  print("accepted")\nexcept Exception as e:\n  print("refused", e)',
          ),
          /^refused .*No such configuration property: "group.protocol"/,
        ),
    },
    "share-group": {
      reason: "confluent-kafka-python 2.0.2 has no share consumer (KIP-932)",
      probe: async () =>
        assert.equal(python('print(hasattr(confluent_kafka, "ShareConsumer"))'), "False"),
    },
  },
});
