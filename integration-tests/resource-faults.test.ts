/**
 * Resource faults under a running broker: the data directory's disk fills up, or the
 * file system turns read-only. Produce must answer KAFKA_STORAGE_ERROR (56) for the
 * appends that could not be stored, the broker must stay up, every record acknowledged
 * before the fault must stay readable at its offset (also after a restart), and once
 * space returns (or the file system is writable again) produce works again, with the
 * offsets continuing where the acknowledged ones ended.
 *
 * Disk full is real when possible: the data directory is a tmpfs of 8 MiB (mount needs
 * root; CI runs as root) with a 1 MiB ballast file that is deleted to free space. If
 * mount is refused, the test says so in its diagnostics and injects ENOSPC instead
 * (LOGBOOK_TEST_FS_FAULT: the broker's storage runs on a file system whose writes fail
 * while SIGUSR2 has switched the fault on; see testWriteFaults in
 * packages/broker/src/broker.ts). Read-only is always injected
 * (EROFS): Linux refuses to remount a file system read-only while the broker holds
 * its segment files open for writing (EBUSY), and root ignores permission bits.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { ErrorCode } from "@logbook/protocol";
import { Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker, tempDir } from "./helpers/broker-process.js";
import { waitFor } from "./helpers/groups.js";
import { fetchAll, produceValues } from "./helpers/wire-data.js";

const TOPIC = "faults";
/** ~48 KiB per record: an 8 MiB tmpfs fills after some 150 of them. */
const VALUE_PAD = "x".repeat(48 * 1024);

interface Acked {
  offset: bigint;
  value: string;
}

function tryMountTmpfs(dir: string, size: string): { ok: boolean; why: string } {
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], {
    encoding: "utf8",
  });
  if (r.error !== undefined) return { ok: false, why: String(r.error) };
  return { ok: r.status === 0, why: (r.stderr || `exit ${r.status}`).trim() };
}

function unmount(dir: string): void {
  spawnSync("umount", [dir]);
}

function injected(code: "ENOSPC" | "EROFS"): Record<string, string> {
  return { LOGBOOK_TEST_FS_FAULT: code };
}

/** Flips the injected fault and waits until the broker reports the new state. */
async function toggleFault(broker: BrokerProcess, on: boolean): Promise<void> {
  const want = `fs-fault: ${on ? "on" : "off"}`;
  const seen = broker.stderr().split(want).length;
  process.kill(broker.pid, "SIGUSR2");
  await waitFor(want, () => broker.stderr().split(want).length > seen, 10_000);
}

async function createTopic(broker: BrokerProcess): Promise<void> {
  const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    assert.equal(await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }] }), true);
  } finally {
    await admin.disconnect();
  }
}

async function produceOne(broker: BrokerProcess, n: number) {
  const value = `r${n}:${VALUE_PAD}`;
  const r = await produceValues(broker.port, TOPIC, 0, [value]);
  return { ...r, value };
}

/** Every acknowledged record is there at its offset, and nothing else is. */
async function assertAckedIntact(broker: BrokerProcess, acked: Acked[], when: string) {
  const { records, highWatermark } = await fetchAll(broker.port, TOPIC, 0);
  assert.equal(highWatermark, BigInt(acked.length), `${when}: high watermark`);
  assert.deepEqual(
    records.map((r) => ({ offset: r.offset, value: r.value })),
    acked,
    `${when}: the acknowledged records, each at its offset`,
  );
}

/** Produces until the fault answers (or, for an injected one, a few before turning it on). */
async function produceIntoFault(
  broker: BrokerProcess,
  acked: Acked[],
  injectedFault: boolean,
): Promise<number> {
  for (let n = 0; n < 1000; n++) {
    if (injectedFault && n === 5) await toggleFault(broker, true);
    const r = await produceOne(broker, n);
    if (r.errorCode !== ErrorCode.NONE) return r.errorCode;
    assert.equal(r.baseOffset, BigInt(acked.length), "offsets are dense");
    acked.push({ offset: r.baseOffset, value: r.value });
  }
  assert.fail("1000 records of 48 KiB fit in an 8 MiB tmpfs");
}

async function faultScenario(
  t: { diagnostic(m: string): void },
  broker: BrokerProcess,
  injectedFault: boolean,
  restoreSpace: () => Promise<void>,
): Promise<void> {
  await createTopic(broker);
  const acked: Acked[] = [];
  const first = await produceIntoFault(broker, acked, injectedFault);
  t.diagnostic(`${acked.length} records acknowledged before the fault`);
  assert.ok(acked.length >= 5, "some records were stored before the fault");
  assert.equal(first, ErrorCode.KAFKA_STORAGE_ERROR, "the failed produce says KAFKA_STORAGE_ERROR");

  // Still refusing while the fault lasts, without crashing or damaging what is stored.
  for (let i = 0; i < 3; i++) {
    const r = await produceOne(broker, 10_000 + i);
    assert.equal(r.errorCode, ErrorCode.KAFKA_STORAGE_ERROR, "refused again while faulty");
  }
  assert.ok(broker.isAlive(), `broker died; stderr:\n${broker.stderr().slice(-3000)}`);
  await assertAckedIntact(broker, acked, "during the fault");

  await restoreSpace();
  for (let i = 0; i < 3; i++) {
    const r = await produceOne(broker, 20_000 + i);
    assert.equal(r.errorCode, ErrorCode.NONE, "produce works again once the fault is gone");
    assert.equal(r.baseOffset, BigInt(acked.length), "offsets continue where the acked ended");
    acked.push({ offset: r.baseOffset, value: r.value });
  }
  await assertAckedIntact(broker, acked, "after recovery");
}

test("disk full: produce gets KAFKA_STORAGE_ERROR, stored records survive, produce resumes when space returns", async (t) => {
  const dir = await tempDir("logbook-full-");
  const mount = tryMountTmpfs(dir, "8m");
  t.diagnostic(
    mount.ok
      ? "data dir on a real 8 MiB tmpfs"
      : `mount refused (${mount.why}): injecting ENOSPC instead`,
  );
  const ballast = join(dir, "ballast");
  if (mount.ok) await writeFile(ballast, Buffer.alloc(1024 * 1024, 1));
  const opts = {
    dataDir: dir,
    args: ["--log-level", "warn"],
    env: mount.ok ? {} : injected("ENOSPC"),
  };
  let broker = await startBroker(opts);
  try {
    await faultScenario(t, broker, !mount.ok, async () =>
      mount.ok ? rm(ballast) : toggleFault(broker, false),
    );
    const acked = await fetchAll(broker.port, TOPIC, 0);
    assert.equal(await broker.stop(), 0, broker.stderr());
    // A restart on the same directory finds exactly the same records.
    broker = await startBroker(opts);
    const again = await fetchAll(broker.port, TOPIC, 0);
    assert.deepEqual(again.records, acked.records, "the same records after a restart");
  } finally {
    if (broker.isAlive()) await broker.stop();
    if (mount.ok) unmount(dir);
    await removeDir(dir);
  }
});

test("read-only file system (injected EROFS): produce gets KAFKA_STORAGE_ERROR, the broker stays up and resumes once writable", async (t) => {
  const broker = await startBroker({ args: ["--log-level", "warn"], env: injected("EROFS") });
  try {
    await faultScenario(t, broker, true, () => toggleFault(broker, false));

    // Creating a topic while read-only fails with an error code, not a crash.
    await toggleFault(broker, true);
    const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await assert.rejects(
        admin.createTopics({ topics: [{ topic: "made-while-ro", numPartitions: 1 }] }),
        "topic creation on a read-only file system is refused",
      );
    } finally {
      await admin.disconnect();
    }
    assert.ok(broker.isAlive(), `broker died; stderr:\n${broker.stderr().slice(-3000)}`);
    await toggleFault(broker, false);
    const p = await produceValues(broker.port, TOPIC, 0, ["writable again"]);
    assert.equal(p.errorCode, ErrorCode.NONE);
  } finally {
    if (broker.isAlive()) await broker.stop();
    await removeDir(broker.dataDir);
  }
});
