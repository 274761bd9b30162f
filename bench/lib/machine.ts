/** The machine and the versions a bench run measured with, for the table and the JSON. */
import { spawnSync } from "node:child_process";
import { cpus, release, totalmem } from "node:os";
import { KAFKA_VERSION } from "../../integration-tests/helpers/kafka-process.js";
import { KAFKA_JVM } from "./servers.js";

export interface Machine {
  cpuModel: string;
  cores: number;
  ramBytes: number;
  kernel: string;
  node: string;
  kafka: string;
  java: string;
  librdkafka: string;
  kafkaHeap: string;
  kafkaJvmFlags: string;
}

/** `java -version` prints e.g. `openjdk version "17.0.15" 2025-04-15` on stderr. */
function javaVersion(): string {
  const r = spawnSync("java", ["-version"], { encoding: "utf8" });
  const m = /^(\S+) version "([^"]+)"/m.exec(r.stderr ?? "");
  return m === null ? "unknown" : `${m[1]} ${m[2]}`;
}

function librdkafkaVersion(loadgen: string): string {
  const r = spawnSync(loadgen, ["version"], { encoding: "utf8" });
  try {
    return String((JSON.parse(r.stdout) as { librdkafka?: string }).librdkafka ?? "unknown");
  } catch {
    return "unknown";
  }
}

export function describeMachine(loadgen: string): Machine {
  return {
    cpuModel: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    ramBytes: totalmem(),
    kernel: release(),
    node: process.version,
    kafka: KAFKA_VERSION,
    java: javaVersion(),
    librdkafka: librdkafkaVersion(loadgen),
    kafkaHeap: KAFKA_JVM.heap,
    kafkaJvmFlags: KAFKA_JVM.flags.join(" "),
  };
}

export function machineLine(m: Machine): string {
  const gib = (m.ramBytes / 2 ** 30).toFixed(1);
  return [
    `machine: ${m.cpuModel}, ${m.cores} cores, ${gib} GiB RAM, Linux ${m.kernel}`,
    `versions: Node ${m.node}, Apache Kafka ${m.kafka} on ${m.java}, librdkafka ${m.librdkafka}`,
    `Kafka JVM: ${m.kafkaHeap} ${m.kafkaJvmFlags}`,
  ].join("\n");
}
