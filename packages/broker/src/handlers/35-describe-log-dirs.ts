/**
 * DescribeLogDirs (key 35), v0-v4.
 *
 * One log dir, the broker's data dir (config.dataDir), holding every partition: size
 * from the partition log, offset lag 0 (no replica movement), never a future replica.
 * topics null means every partition; otherwise only the named partitions that exist.
 * v4 adds the volume's total and usable bytes (statfs; -1 when the data dir is not a
 * local path). Partitions without data on disk are reported with size 0 and are not
 * opened just to be measured. Simplified: no JBOD, so no LOG_DIR_NOT_FOUND.
 * ACLs: DESCRIBE on the cluster, else CLUSTER_AUTHORIZATION_FAILED.
 */
import { statfs } from "node:fs/promises";
import {
  createDescribeLogDirsResponse,
  createDescribeLogDirsResponsePartition,
  createDescribeLogDirsResponseResult,
  createDescribeLogDirsResponseTopic,
  DescribeLogDirsApi,
  type DescribeLogDirsResponseTopic,
  ErrorCode,
} from "@logbook/protocol";
import { clusterAllowed, Op } from "../acl/check.js";
import { defineHandler } from "../handler.js";
import type { BrokerServices } from "../services.js";

async function volumeBytes(dir: string): Promise<{ total: bigint; usable: bigint }> {
  try {
    const s = await statfs(dir, { bigint: true });
    return { total: s.blocks * s.bsize, usable: s.bavail * s.bsize };
  } catch {
    return { total: -1n, usable: -1n };
  }
}

async function partitionSize(
  broker: BrokerServices,
  onDisk: Set<string>,
  topic: string,
  p: number,
): Promise<bigint> {
  if (!onDisk.has(`${topic}/${p}`)) return 0n;
  const log = await broker.topics.partition(topic, p);
  return BigInt(log?.sizeInBytes ?? 0);
}

export const describeLogDirsHandler = defineHandler({
  api: DescribeLogDirsApi,
  minVersion: 0,
  maxVersion: 4,
  async handle(req, ctx) {
    if (!clusterAllowed(ctx, Op.DESCRIBE))
      return createDescribeLogDirsResponse({
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        results: [],
      });
    const { broker } = ctx;
    const onDisk = new Set(
      (await broker.storage.list()).map((tp) => `${tp.topic}/${tp.partition}`),
    );
    const wanted: { name: string; partitions: number[] }[] = [];
    if (req.topics === null) {
      for (const t of broker.topics.list()) {
        wanted.push({
          name: t.name,
          partitions: Array.from({ length: t.partitions }, (_, i) => i),
        });
      }
    } else {
      for (const t of req.topics) {
        const info = broker.topics.get(t.topic);
        if (info === undefined) continue;
        wanted.push({
          name: t.topic,
          partitions: t.partitions.filter((p) => p >= 0 && p < info.partitions),
        });
      }
    }
    const topics: DescribeLogDirsResponseTopic[] = [];
    for (const t of wanted) {
      const partitions = [];
      for (const p of t.partitions) {
        partitions.push(
          createDescribeLogDirsResponsePartition({
            partitionIndex: p,
            partitionSize: await partitionSize(broker, onDisk, t.name, p),
            offsetLag: 0n,
            isFutureKey: false,
          }),
        );
      }
      if (partitions.length > 0)
        topics.push(createDescribeLogDirsResponseTopic({ name: t.name, partitions }));
    }
    const { total, usable } = await volumeBytes(broker.config.dataDir);
    return createDescribeLogDirsResponse({
      errorCode: ErrorCode.NONE,
      results: [
        createDescribeLogDirsResponseResult({
          errorCode: ErrorCode.NONE,
          logDir: broker.config.dataDir,
          topics,
          totalBytes: total,
          usableBytes: usable,
        }),
      ],
    });
  },
});
