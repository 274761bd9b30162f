/**
 * The tables of cluster membership and the statements over them. Every time is the
 * database's (now()), never a broker's, so clock skew between machines cannot make a
 * live broker look dead. A broker's row carries its own session timeout, so whoever
 * heartbeats judges each broker by the timeout that broker declared.
 */

/**
 * Idempotent: run by every broker at start, under a transaction-scoped advisory lock so
 * that two brokers starting at once do not race on CREATE TABLE IF NOT EXISTS.
 */
export const CLUSTER_TABLES_SQL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS logbook_broker (
    node_id integer PRIMARY KEY,
    incarnation uuid NOT NULL,
    rack text,
    endpoints jsonb NOT NULL,
    session_timeout_ms integer NOT NULL CHECK (session_timeout_ms > 0),
    registered_at timestamptz NOT NULL DEFAULT now(),
    last_heartbeat timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE IF NOT EXISTS logbook_cluster (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    generation bigint NOT NULL
  )`,
  "INSERT INTO logbook_cluster (singleton, generation) VALUES (true, 0) ON CONFLICT DO NOTHING",
];

/** Serializes CLUSTER_TABLES_SQL between brokers (a key of its own, not the engine's). */
export const CLUSTER_TABLES_LOCK =
  "SELECT pg_advisory_xact_lock(hashtext('logbook.cluster-tables'))";

const EXPIRED = "last_heartbeat + session_timeout_ms * interval '1 millisecond' < now()";

/** Removes every broker whose session ran out; returns their node ids. */
export const DELETE_EXPIRED = `DELETE FROM logbook_broker WHERE ${EXPIRED} RETURNING node_id`;

/** $1 node id, $2 incarnation, $3 rack, $4 endpoints (JSON), $5 session timeout ms. */
export const INSERT_BROKER = `INSERT INTO logbook_broker
  (node_id, incarnation, rack, endpoints, session_timeout_ms)
  VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (node_id) DO NOTHING
  RETURNING node_id`;

/** Who holds node id $1, for the message refusing a duplicate. */
export const SELECT_HOLDER = `SELECT incarnation, endpoints,
    floor(extract(epoch FROM now() - last_heartbeat) * 1000)::bigint AS silent_ms,
    session_timeout_ms
  FROM logbook_broker WHERE node_id = $1`;

/** $1 node id, $2 incarnation: this incarnation's heartbeat (no row: it was expired). */
export const TOUCH_BROKER =
  "UPDATE logbook_broker SET last_heartbeat = now() WHERE node_id = $1 AND incarnation = $2";

/** $1 node id, $2 incarnation: a clean leave. */
export const DELETE_BROKER = "DELETE FROM logbook_broker WHERE node_id = $1 AND incarnation = $2";

export const BUMP_GENERATION =
  "UPDATE logbook_cluster SET generation = generation + 1 RETURNING generation";

/** The generation and the live brokers in one statement, hence one snapshot. */
export const SELECT_VIEW = `SELECT c.generation, b.node_id, b.rack, b.endpoints
  FROM logbook_cluster c LEFT JOIN logbook_broker b ON true
  ORDER BY b.node_id`;
