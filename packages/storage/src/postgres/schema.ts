import type pg from "pg";

/**
 * The engine's tables, as migrations applied in order at start-up. A migration is never
 * edited once released: a change is a new entry. Every broker over the database runs
 * them; an advisory lock makes brokers starting together apply each one once.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE logbook_partition (
    id bigserial PRIMARY KEY,
    topic text NOT NULL,
    partition integer NOT NULL,
    -- The log end offset; every committed batch is visible, so it is also the high watermark.
    next_offset bigint NOT NULL DEFAULT 0,
    log_start_offset bigint NOT NULL DEFAULT 0,
    created_ms bigint NOT NULL,
    UNIQUE (topic, partition)
  );
  -- Segments are bookkeeping only (batches carry their segment's base offset), so that
  -- rolling and retention behave as on disk: whole segments go, never the active one.
  CREATE TABLE logbook_segment (
    partition_id bigint NOT NULL REFERENCES logbook_partition (id) ON DELETE CASCADE,
    base_offset bigint NOT NULL,
    size bigint NOT NULL,
    max_timestamp bigint NOT NULL,
    created_ms bigint NOT NULL,
    last_write_ms bigint NOT NULL,
    PRIMARY KEY (partition_id, base_offset)
  );
  -- One row per stored record batch: the bytes as the client sent them, offsets stamped.
  CREATE TABLE logbook_batch (
    partition_id bigint NOT NULL REFERENCES logbook_partition (id) ON DELETE CASCADE,
    last_offset bigint NOT NULL,
    base_offset bigint NOT NULL,
    segment_base bigint NOT NULL,
    max_timestamp bigint NOT NULL,
    size integer NOT NULL,
    bytes bytea NOT NULL,
    PRIMARY KEY (partition_id, last_offset)
  );
  ALTER TABLE logbook_batch ALTER COLUMN bytes SET STORAGE EXTERNAL;
  -- The transaction index: aborted transactions, by their ABORT marker's offset.
  CREATE TABLE logbook_aborted_txn (
    partition_id bigint NOT NULL REFERENCES logbook_partition (id) ON DELETE CASCADE,
    last_offset bigint NOT NULL,
    producer_id bigint NOT NULL,
    first_offset bigint NOT NULL,
    last_stable_offset bigint NOT NULL,
    PRIMARY KEY (partition_id, last_offset)
  );
  -- Transactions open at the log end: (producer, first offset), rewritten with each append
  -- that changes them, so a broker opening the log knows them without a scan.
  CREATE TABLE logbook_open_txn (
    partition_id bigint NOT NULL REFERENCES logbook_partition (id) ON DELETE CASCADE,
    producer_id bigint NOT NULL,
    first_offset bigint NOT NULL,
    PRIMARY KEY (partition_id, producer_id)
  );
  `,
  // The broker leading a partition (its engine's incarnation id): a claim fences the
  // appends of the broker that led it before (PartitionLog.claimWriter).
  `ALTER TABLE logbook_partition ADD COLUMN writer text;`,
  // Compaction: how far the log is clean, and a count of truncations, which a cleaning
  // round checks before each swap (a truncation may have changed what it read).
  `ALTER TABLE logbook_partition
     ADD COLUMN cleaner_offset bigint NOT NULL DEFAULT 0,
     ADD COLUMN truncations bigint NOT NULL DEFAULT 0;`,
];

/** Any fixed number: the advisory lock brokers take while migrating. */
const MIGRATION_LOCK = 0x10_6b_00_6b;

/** Applies the migrations this database has not seen yet; returns how many it applied. */
export async function migrate(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  // A connection lost while checked out reports here, not to the pool: a query then
  // fails with the cause, and the process must not end on an unhandled 'error'.
  const ignore = () => {};
  client.on("error", ignore);
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    try {
      await client.query(
        "CREATE TABLE IF NOT EXISTS logbook_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
      );
      const { rows } = await client.query<{ v: number | null }>(
        "SELECT max(version) AS v FROM logbook_schema",
      );
      const current = rows[0]?.v ?? 0;
      if (current > MIGRATIONS.length) {
        throw new Error(
          `the database's Logbook schema is version ${current}, newer than this broker knows (${MIGRATIONS.length}); upgrade the broker`,
        );
      }
      for (let v = current + 1; v <= MIGRATIONS.length; v++) {
        await client.query("BEGIN");
        try {
          await client.query(MIGRATIONS[v - 1] as string);
          await client.query("INSERT INTO logbook_schema (version) VALUES ($1)", [v]);
          await client.query("COMMIT");
        } catch (e) {
          await client.query("ROLLBACK");
          throw e;
        }
      }
      return MIGRATIONS.length - current;
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
    }
  } finally {
    client.off("error", ignore);
    client.release();
  }
}
