/**
 * Logbook brokers sharing one PostgreSQL database, as the cluster tests start them:
 * short membership timeouts (a killed broker drops out, and its node id is free again,
 * within 1.5 s) so that failover happens within a test's patience.
 */
import { createFindCoordinatorRequest, FindCoordinatorApi } from "@logbook/protocol";
import { Kafka, type logCreator, logLevel } from "kafkajs";
import { type BrokerProcess, startBroker } from "./broker-process.js";
import { WireClient } from "./wire-client.js";

export const CLUSTER_HEARTBEAT_MS = 300;
export const CLUSTER_SESSION_MS = 1500;

/** Starts broker `nodeId` over the database at `url`. */
export function startClusterNode(
  url: string,
  nodeId: number,
  timing: { heartbeatMs?: number; sessionMs?: number } = {},
  /** More `-o key=value` settings. */
  settings: readonly string[] = [],
): Promise<BrokerProcess> {
  return startBroker({
    dataDir: url,
    args: [
      "-o",
      `node.id=${nodeId}`,
      "-o",
      `broker.heartbeat.interval.ms=${timing.heartbeatMs ?? CLUSTER_HEARTBEAT_MS}`,
      "-o",
      `broker.session.timeout.ms=${timing.sessionMs ?? CLUSTER_SESSION_MS}`,
      ...settings.flatMap((s) => ["-o", s]),
    ],
  });
}

/**
 * The broker coordinating groups and transactions (the leader of `__consumer_offsets`/0
 * and of `__transaction_state`/0), as FindCoordinator for a transactional id names it.
 */
export async function coordinatorNode(broker: Pick<BrokerProcess, "port">): Promise<number> {
  const wire = await WireClient.connect(broker.port);
  try {
    const { body } = await wire.request(
      FindCoordinatorApi,
      4,
      createFindCoordinatorRequest({ keyType: 1, coordinatorKeys: ["any"] }),
    );
    const found = body.coordinators[0];
    if (found === undefined || found.errorCode !== 0)
      throw new Error(`FindCoordinator answered ${JSON.stringify(found)}`);
    return found.nodeId;
  } finally {
    wire.close();
  }
}

/** Each partition's leader, by partition. */
export async function leadersOf(kafka: Kafka, topic: string): Promise<number[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const out: number[] = [];
    for (const p of topics[0]?.partitions ?? []) out[p.partitionId] = p.leader;
    return out;
  } finally {
    await admin.disconnect();
  }
}

/**
 * A kafkajs client of some of the brokers; `retries` with a 100 ms to 1 s backoff when
 * given (patience through a failover), kafkajs's defaults otherwise; silent unless given a
 * `logCreator` (which then hears errors).
 */
export function clusterClient(
  brokers: readonly Pick<BrokerProcess, "bootstrap">[],
  clientId: string,
  retries?: number,
  logCreator?: logCreator,
): Kafka {
  return new Kafka({
    clientId,
    brokers: brokers.map((b) => b.bootstrap),
    ...(logCreator === undefined
      ? { logLevel: logLevel.NOTHING }
      : { logLevel: logLevel.ERROR, logCreator }),
    ...(retries === undefined
      ? {}
      : { retry: { retries, initialRetryTime: 100, maxRetryTime: 1000 } }),
  });
}
