/**
 * Shared pieces of the librdkafka (python3-confluent-kafka) group tests: what a member
 * holds from its callbacks, what it read, and a broker with one topic around a body.
 */
import assert from "node:assert/strict";
import type { Kafka } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker } from "./broker-process.js";
import {
  AssignmentRecorder,
  createTopic,
  GROUP_BROKER,
  type JsonLinesProcess,
  waitFor,
} from "./groups.js";

/** The partitions a member holds now, replaying its assign / revoke / lost callbacks. */
export function holding(p: JsonLinesProcess): number[] {
  const s = new Set<number>();
  for (const l of p.lines) {
    const parts = (l.partitions as number[] | undefined) ?? [];
    if (l.event === "assign") for (const x of parts) s.add(x);
    else if (l.event === "revoke" || l.event === "lost") for (const x of parts) s.delete(x);
  }
  return [...s].sort((a, b) => a - b);
}

export const read = (ps: JsonLinesProcess[]) =>
  ps.flatMap((p) =>
    p.events("message").map((m) => ({ who: p.name, key: `${m.partition}:${m.offset}` })),
  );

export async function waitSplit(members: JsonLinesProcess[], partitions: number, what: string) {
  await waitFor(
    `${what}: ${members.map((m) => m.name).join(", ")} to split ${partitions} partitions`,
    () => {
      for (const m of members) if (!m.alive()) assert.fail(`${m.name} exited:\n${m.stderr()}`);
      const held = members.map(holding);
      const all = held.flat().sort((a, b) => a - b);
      return (
        held.every((h) => h.length > 0) &&
        all.join() === Array.from({ length: partitions }, (_, i) => i).join()
      );
    },
    45_000,
    () => members.map((m) => ({ name: m.name, holding: holding(m), lines: m.lines.slice(-8) })),
  );
  return members.map(holding);
}

export async function withBroker(
  topic: string,
  partitions: number,
  body: (b: BrokerProcess, kafka: Kafka, procs: JsonLinesProcess[]) => Promise<void>,
) {
  const broker = await startBroker(GROUP_BROKER);
  const kafka = new AssignmentRecorder(topic).kafka(broker.bootstrap);
  const procs: JsonLinesProcess[] = [];
  try {
    await createTopic(kafka, topic, partitions);
    await body(broker, kafka, procs);
  } finally {
    for (const p of procs) p.kill();
    if (broker.isAlive()) assert.equal(await broker.stop(), 0, broker.stderr());
    await removeDir(broker.dataDir);
  }
}

export async function describeGroup(kafka: Kafka, groupId: string) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    return groups[0];
  } finally {
    await admin.disconnect();
  }
}

export async function committed(kafka: Kafka, groupId: string, topic: string): Promise<number[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const r = await admin.fetchOffsets({ groupId, topics: [topic] });
    return [...(r[0]?.partitions ?? [])]
      .sort((a, b) => a.partition - b.partition)
      .map((p) => Number(p.offset));
  } finally {
    await admin.disconnect();
  }
}

export async function closeAll(ps: JsonLinesProcess[]) {
  for (const p of ps) p.send("close");
  for (const p of ps) {
    const code = await p.done(30_000);
    assert.equal(code, 0, `${p.name} closes cleanly; stderr:\n${p.stderr()}`);
    assert.ok(p.events("closed").length === 1, `${p.name} printed closed`);
  }
}
