/**
 * Curve 2: C idle client connections on a fresh broker per point, each opened as a
 * client does (TCP connect, then ApiVersions), then left silent. Broker RSS is read
 * after they settle, and one extra connection measures request latency: sequential
 * ApiVersions and Metadata (all topics, one 1-partition topic present) round trips.
 *
 * Each connection costs a file descriptor on both sides; `growth.ts` raises this
 * process's limit before it gets here and the broker inherits it.
 */

import { removeDir } from "../../integration-tests/helpers/broker-process.js";
import { type Connection, createTopics, KafkaClient } from "../../packages/client/src/index.js";
import {
  ApiVersionsApi,
  createApiVersionsRequest,
  createMetadataRequest,
  MetadataApi,
} from "../../packages/protocol/src/index.js";
import { percentile, round } from "../lib/stats.js";
import { log, msSince, openConnection, rssMiB, sleep, startLogbookWith } from "./common.js";

/** Connections opened at once while filling up to C (a client fleet starting, in waves). */
const OPEN_CONCURRENCY = 200;

export interface LatencyFigures {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface ConnectionsPoint {
  connections: number;
  openAllMs: number;
  rssIdleMiB: number;
  rssWithConnectionsMiB: number;
  apiVersions: LatencyFigures;
  metadata: LatencyFigures;
}

async function roundTrips(samples: number, once: () => Promise<unknown>): Promise<LatencyFigures> {
  for (let i = 0; i < Math.min(200, samples); i++) await once(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint();
    await once();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return {
    p50Ms: round(percentile(times, 0.5), 3),
    p99Ms: round(percentile(times, 0.99), 3),
    maxMs: round(times[times.length - 1] as number, 3),
  };
}

export async function measureConnections(
  points: readonly number[],
  samples: number,
): Promise<ConnectionsPoint[]> {
  const out: ConnectionsPoint[] = [];
  for (const connections of points) {
    const broker = await startLogbookWith([]);
    const idle: Connection[] = [];
    try {
      const client = await KafkaClient.connect({ brokers: [broker.bootstrap] });
      await createTopics(client, [
        { name: "growth-conn", partitions: 1, replicationFactor: 1, configs: new Map() },
      ]);
      await client.close();
      await sleep(1000);
      const rssIdleMiB = await rssMiB(broker.pid);
      const start = process.hrtime.bigint();
      while (idle.length < connections) {
        const wave = Math.min(OPEN_CONCURRENCY, connections - idle.length);
        idle.push(
          ...(await Promise.all(Array.from({ length: wave }, () => openConnection(broker.port)))),
        );
      }
      const openAllMs = msSince(start);
      await sleep(2000);
      const rssWithConnectionsMiB = await rssMiB(broker.pid);

      const probe = await openConnection(broker.port);
      const apiVersions = await roundTrips(samples, () =>
        probe.send(ApiVersionsApi, () =>
          createApiVersionsRequest({
            clientSoftwareName: "logbook-growth",
            clientSoftwareVersion: "1",
          }),
        ),
      );
      const metadata = await roundTrips(samples, () =>
        probe.send(MetadataApi, () =>
          createMetadataRequest({
            topics: null,
            allowAutoTopicCreation: false,
            includeClusterAuthorizedOperations: false,
            includeTopicAuthorizedOperations: false,
          }),
        ),
      );
      probe.close();
      const point: ConnectionsPoint = {
        connections,
        openAllMs,
        rssIdleMiB,
        rssWithConnectionsMiB,
        apiVersions,
        metadata,
      };
      log(`  ${JSON.stringify(point)}`);
      out.push(point);
    } finally {
      for (const c of idle) c.close();
      await broker.stop();
      await removeDir(broker.dataDir);
    }
  }
  return out;
}
