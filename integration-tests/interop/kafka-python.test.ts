/**
 * Interop matrix, kafka-python column: Debian's python3-kafka (2.0.2) under
 * /usr/bin/python3, driven by drivers/kafka_python_scenarios.py. .ci/run installs it,
 * with python3-snappy, python3-lz4 and python3-zstandard, which its codecs import.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { before } from "node:test";
import { PYTHON, requirePythonModule } from "../helpers/groups.js";
import { drivenMatrix, runDriver } from "./driven.js";

const DRIVER = join(import.meta.dirname, "drivers/kafka_python_scenarios.py");

/** kafka-python checks its options before connecting: an unknown one is refused at once. */
async function refusesOptions(constructors: string[]): Promise<void> {
  for (const ctor of constructors) {
    const script = `from kafka import KafkaProducer, KafkaConsumer\ntry:\n  ${ctor}\n  print("accepted")\nexcept Exception as e:\n  print("refused", e)`;
    const r = spawnSync(PYTHON, ["-c", script], { encoding: "utf8", timeout: 30_000 });
    assert.match(r.stdout, /^refused .*Unrecognized configs/, `${ctor}: ${r.stdout}${r.stderr}`);
  }
}

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
    idempotent: {
      reason: "kafka-python 2.0.2 has no idempotent producer (it came in 2.1.0)",
      probe: () =>
        refusesOptions(["KafkaProducer(bootstrap_servers='127.0.0.1:1', enable_idempotence=True)"]),
    },
    transactions: {
      reason: "kafka-python 2.0.2 has no transactional producer and no read_committed isolation",
      probe: () =>
        refusesOptions([
          "KafkaProducer(bootstrap_servers='127.0.0.1:1', transactional_id='t')",
          "KafkaConsumer(bootstrap_servers='127.0.0.1:1', isolation_level='read_committed')",
        ]),
    },
  },
});
