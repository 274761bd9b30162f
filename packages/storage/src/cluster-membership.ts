/**
 * Which brokers share an engine's data. An engine several brokers can use at once (the
 * PostgreSQL one) exposes a ClusterMembership; the broker registers itself in it and
 * splits partition leadership over the live set. The file and memory engines have none:
 * their broker is alone and leads everything.
 */

/** One address a broker is reached at: an advertised listener. */
export interface BrokerEndpoint {
  readonly listener: string;
  readonly host: string;
  readonly port: number;
  readonly securityProtocol: string;
}

/** A broker as the cluster knows it while it heartbeats. */
export interface LiveBroker {
  readonly nodeId: number;
  readonly rack: string | null;
  readonly endpoints: readonly BrokerEndpoint[];
}

/**
 * Concurrency: `register` once, before anything else; `live()` and `generation` read the
 * view of the last heartbeat and never wait; listeners run after the view has changed.
 * `close()` may be called more than once (the broker and its engine both close it).
 */
export interface ClusterMembership {
  /**
   * Joins the cluster as `self`; rejects (DuplicateBrokerError) when a live broker holds
   * the same node id.
   */
  register(self: LiveBroker): Promise<void>;
  /** The live brokers, by ascending node id (this one among them once registered). */
  live(): readonly LiveBroker[];
  /**
   * Rises every time the live set changes, cluster-wide; the leader epoch of every
   * partition, so epochs never go backwards when leadership moves.
   */
  readonly generation: number;
  /** Called after the live set or the generation changed; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
  /** Leaves the cluster cleanly (the others see it gone at once) and stops heartbeating. */
  close(): Promise<void>;
}

/** How a membership heartbeats: Kafka's broker.heartbeat.interval.ms and broker.session.timeout.ms. */
export interface ClusterTimeouts {
  readonly heartbeatIntervalMs: number;
  readonly sessionTimeoutMs: number;
}

/** Kafka's defaults of broker.heartbeat.interval.ms and broker.session.timeout.ms. */
export const DEFAULT_CLUSTER_TIMEOUTS: ClusterTimeouts = Object.freeze({
  heartbeatIntervalMs: 2000,
  sessionTimeoutMs: 9000,
});

/** Registration refused: another live broker holds the node id. */
export class DuplicateBrokerError extends Error {
  constructor(
    readonly nodeId: number,
    message: string,
  ) {
    super(message);
    this.name = "DuplicateBrokerError";
  }
}
