/**
 * What both kafka-python columns (Debian's 2.0.2 and PyPI's 3.x) show of the features
 * they lack, without a broker: kafka-python checks its options before connecting, so an
 * unknown one is refused at once, and it exports no share consumer.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import type { DrivenClient } from "./driven.js";

/** Each constructor call (Python source) must be refused as an unrecognized config. */
export async function refusesOptions(python: string, constructors: string[]): Promise<void> {
  for (const ctor of constructors) {
    const script = `from kafka import KafkaProducer, KafkaConsumer\ntry:\n  ${ctor}\n  print("accepted")\nexcept Exception as e:\n  print("refused", e)`;
    const r = spawnSync(python, ["-c", script], { encoding: "utf8", timeout: 30_000 });
    assert.match(r.stdout, /^refused .*Unrecognized configs/, `${ctor}: ${r.stdout}${r.stderr}`);
  }
}

/** The Kafka 4 group protocols, which no kafka-python release speaks. */
export function kafkaPythonKafka4Groups(
  python: () => Promise<string>,
): NonNullable<DrivenClient["notSupported"]> {
  return {
    "group-consumer-protocol": {
      reason:
        "kafka-python has only the classic group protocol: it has no group_protocol option (KIP-848)",
      probe: async () =>
        refusesOptions(await python(), [
          "KafkaConsumer(bootstrap_servers='127.0.0.1:1', group_id='g', group_protocol='consumer')",
        ]),
    },
    "share-group": {
      reason: "kafka-python has no share consumer (KIP-932)",
      probe: async () => {
        const script =
          "import kafka, kafka.consumer\nprint([n for m in (kafka, kafka.consumer) for n in dir(m) if 'share' in n.lower()])";
        const r = spawnSync(await python(), ["-c", script], { encoding: "utf8", timeout: 30_000 });
        assert.equal(r.stdout.trim(), "[]", `share names in kafka-python: ${r.stdout}${r.stderr}`);
      },
    },
  };
}
