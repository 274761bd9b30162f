/**
 * Logbook brokers sharing one PostgreSQL database, as the cluster tests start them:
 * short membership timeouts (a killed broker drops out, and its node id is free again,
 * within 1.5 s) so that failover happens within a test's patience.
 */
import { Kafka, type logCreator, logLevel } from "kafkajs";
import { type BrokerProcess, startBroker } from "./broker-process.js";

export const CLUSTER_HEARTBEAT_MS = 300;
export const CLUSTER_SESSION_MS = 1500;

/** Starts broker `nodeId` over the database at `url`. */
export function startClusterNode(
  url: string,
  nodeId: number,
  timing: { heartbeatMs?: number; sessionMs?: number } = {},
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
    ],
  });
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
