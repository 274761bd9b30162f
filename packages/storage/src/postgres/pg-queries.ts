import type pg from "pg";
import type { AbortedTxn } from "../transactions/aborted-txn.js";
import { emptySegment, type PgSegment } from "./pg-segment.js";

/** A partition's row and what a broker loads with it when it opens the log. */
export interface PartitionSnapshot {
  id: string;
  nextOffset: number;
  logStartOffset: number;
  createdAt: number;
  segments: PgSegment[];
  openTxns: [bigint, number][];
}

type Queryable = Pick<pg.Pool, "query">;

/** Creates the partition's row if it is new; returns its id. */
export async function ensurePartition(
  db: Queryable,
  topic: string,
  partition: number,
  now: number,
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO logbook_partition (topic, partition, created_ms) VALUES ($1, $2, $3)
     ON CONFLICT (topic, partition) DO UPDATE SET topic = excluded.topic RETURNING id`,
    [topic, partition, now],
  );
  return (rows[0] as { id: string }).id;
}

/**
 * The partition as the database has it now (one round trip per table). `oneByOne` runs
 * the queries one after another, for a single connection (say in a REPEATABLE READ
 * transaction, so that all four see one snapshot); else they run at once on the pool.
 */
export async function loadPartition(
  db: Queryable,
  id: string,
  oneByOne = false,
): Promise<PartitionSnapshot> {
  const partitionRow = () =>
    db.query<{ next_offset: string; log_start_offset: string; created_ms: string }>(
      "SELECT next_offset, log_start_offset, created_ms FROM logbook_partition WHERE id = $1",
      [id],
    );
  const segmentRows = () =>
    db.query<{
      base_offset: string;
      size: string;
      max_timestamp: string;
      created_ms: string;
      last_write_ms: string;
    }>(
      `SELECT base_offset, size, max_timestamp, created_ms, last_write_ms FROM logbook_segment
       WHERE partition_id = $1 ORDER BY base_offset`,
      [id],
    );
  const abortedRows = () =>
    db.query<{
      last_offset: string;
      producer_id: string;
      first_offset: string;
      last_stable_offset: string;
    }>(
      `SELECT last_offset, producer_id, first_offset, last_stable_offset FROM logbook_aborted_txn
       WHERE partition_id = $1 ORDER BY last_offset`,
      [id],
    );
  const openRows = () =>
    db.query<{ producer_id: string; first_offset: string }>(
      "SELECT producer_id, first_offset FROM logbook_open_txn WHERE partition_id = $1",
      [id],
    );
  const [p, segs, aborted, open] = oneByOne
    ? [await partitionRow(), await segmentRows(), await abortedRows(), await openRows()]
    : await Promise.all([partitionRow(), segmentRows(), abortedRows(), openRows()]);
  const row = p.rows[0];
  if (row === undefined) throw new Error(`partition ${id} is gone from the database`);
  const nextOffset = Number(row.next_offset);
  const createdAt = Number(row.created_ms);
  const segments: PgSegment[] = segs.rows.map((s) => ({
    baseOffset: Number(s.base_offset),
    size: Number(s.size),
    maxTimestamp: Number(s.max_timestamp),
    createdAt: Number(s.created_ms),
    lastModified: Number(s.last_write_ms),
    abortedTxns: [],
  }));
  if (segments.length === 0) segments.push(emptySegment(nextOffset, createdAt));
  let at = 0;
  for (const a of aborted.rows) {
    const entry: AbortedTxn = {
      producerId: BigInt(a.producer_id),
      firstOffset: Number(a.first_offset),
      lastOffset: Number(a.last_offset),
      lastStableOffset: Number(a.last_stable_offset),
    };
    while (
      at + 1 < segments.length &&
      (segments[at + 1] as PgSegment).baseOffset <= entry.lastOffset
    )
      at++;
    (segments[at] as PgSegment).abortedTxns.push(entry);
  }
  return {
    id,
    nextOffset,
    logStartOffset: Number(row.log_start_offset),
    createdAt,
    segments,
    openTxns: open.rows.map((o) => [BigInt(o.producer_id), Number(o.first_offset)]),
  };
}

/** One coalesced write: the batches of several appends, in offset order. */
export interface WriteGroup {
  expectedNext: number;
  newNext: number;
  lastOffsets: number[];
  baseOffsets: number[];
  segmentBases: number[];
  maxTimestamps: number[];
  sizes: number[];
  bytes: Buffer[];
  segments: { base: number; size: number; maxTimestamp: number; createdAt: number }[];
  aborted: AbortedTxn[];
  /** Producers whose open-transaction row goes (closed, or reopened below). */
  closedTxns: bigint[];
  openedTxns: [bigint, number][];
  now: number;
  /** The claim this write relies on (its engine's id), or null for an unclaimed writer. */
  writer: string | null;
}

/** Makes `writer` the partition's writer; later writes under an older claim fail. */
export async function claimPartition(db: Queryable, id: string, writer: string): Promise<void> {
  await db.query("UPDATE logbook_partition SET writer = $2 WHERE id = $1", [id, writer]);
}

/** Whether `writer` still holds the partition (after a refused write). */
export async function holdsPartition(db: Queryable, id: string, writer: string): Promise<boolean> {
  const { rows } = await db.query<{ writer: string | null }>(
    "SELECT writer FROM logbook_partition WHERE id = $1",
    [id],
  );
  return rows[0]?.writer === writer;
}

/**
 * Writes a group in one statement, only if the partition still ends where this broker
 * believes (its row lock serialises writers; a stale writer changes nothing). Returns
 * false when another writer got there first. The NOTIFY wakes long-polls everywhere.
 */
export async function writeGroup(db: Queryable, id: string, g: WriteGroup): Promise<boolean> {
  const { rows } = await db.query<{ ok: string }>(
    `WITH p AS (
       UPDATE logbook_partition SET next_offset = $3
       WHERE id = $1 AND next_offset = $2 AND ($22::text IS NULL OR writer = $22) RETURNING id
     ), b AS (
       INSERT INTO logbook_batch (partition_id, last_offset, base_offset, segment_base, max_timestamp, size, bytes)
       SELECT p.id, x.* FROM p, unnest($4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::int[], $9::bytea[]) AS x
       RETURNING 1
     ), s AS (
       INSERT INTO logbook_segment (partition_id, base_offset, size, max_timestamp, created_ms, last_write_ms)
       SELECT p.id, x.base, x.size, x.ts, x.created, $10 FROM p,
         unnest($11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[]) AS x(base, size, ts, created)
       ON CONFLICT (partition_id, base_offset) DO UPDATE SET
         size = logbook_segment.size + excluded.size,
         max_timestamp = greatest(logbook_segment.max_timestamp, excluded.max_timestamp),
         last_write_ms = excluded.last_write_ms
       RETURNING 1
     ), a AS (
       INSERT INTO logbook_aborted_txn (partition_id, last_offset, producer_id, first_offset, last_stable_offset)
       SELECT p.id, x.* FROM p, unnest($15::bigint[], $16::bigint[], $17::bigint[], $18::bigint[]) AS x
       RETURNING 1
     ), oc AS (
       DELETE FROM logbook_open_txn o USING p WHERE o.partition_id = p.id AND o.producer_id = ANY($19::bigint[])
       RETURNING 1
     ), oo AS (
       INSERT INTO logbook_open_txn (partition_id, producer_id, first_offset)
       SELECT p.id, x.* FROM p, unnest($20::bigint[], $21::bigint[]) AS x
       ON CONFLICT (partition_id, producer_id) DO UPDATE SET first_offset = excluded.first_offset
       RETURNING 1
     ), n AS (
       SELECT pg_notify('logbook_append', p.id || ' ' || $3) FROM p
     )
     SELECT (SELECT count(*) FROM p) + 0 * ((SELECT count(*) FROM n)) AS ok`,
    [
      id,
      g.expectedNext,
      g.newNext,
      g.lastOffsets,
      g.baseOffsets,
      g.segmentBases,
      g.maxTimestamps,
      g.sizes,
      g.bytes,
      g.now,
      g.segments.map((s) => s.base),
      g.segments.map((s) => s.size),
      g.segments.map((s) => s.maxTimestamp),
      g.segments.map((s) => s.createdAt),
      g.aborted.map((e) => e.lastOffset),
      g.aborted.map((e) => e.producerId.toString()),
      g.aborted.map((e) => e.firstOffset),
      g.aborted.map((e) => e.lastStableOffset),
      g.closedTxns.map((p) => p.toString()),
      g.openedTxns.map(([p]) => p.toString()),
      g.openedTxns.map(([, o]) => o),
      g.writer,
    ],
  );
  return Number(rows[0]?.ok ?? 0) === 1;
}

/**
 * After a write failed without an answer (connection lost), whether it committed: the
 * partition ends where the write would have left it and its last batch is ours (same
 * offsets and CRC).
 */
export async function groupCommitted(
  db: Queryable,
  id: string,
  lastOffset: number,
  baseOffset: number,
  crc: Buffer,
): Promise<boolean> {
  const { rows } = await db.query<{ base_offset: string; crc: Buffer }>(
    `SELECT base_offset, substring(bytes from 18 for 4) AS crc FROM logbook_batch
     WHERE partition_id = $1 AND last_offset = $2`,
    [id, lastOffset],
  );
  const row = rows[0];
  return row !== undefined && Number(row.base_offset) === baseOffset && row.crc.equals(crc);
}

/**
 * Whole batches from the one holding `from`, below `bound`: at least one, then as many
 * as fit in `maxBytes`.
 */
export async function readBatches(
  db: Queryable,
  id: string,
  from: number,
  bound: number,
  maxBytes: number,
): Promise<Buffer[]> {
  const { rows } = await db.query<{ bytes: Buffer }>(
    `SELECT bytes FROM (
       SELECT bytes, sum(size) OVER (ORDER BY last_offset) AS upto, row_number() OVER (ORDER BY last_offset) AS n
       FROM (SELECT bytes, size, last_offset FROM logbook_batch
             WHERE partition_id = $1 AND last_offset >= $2 AND last_offset < $3
             ORDER BY last_offset LIMIT 2000) w
     ) t WHERE n = 1 OR upto <= $4 ORDER BY n`,
    [id, from, bound, maxBytes],
  );
  return rows.map((r) => r.bytes);
}

/** Batches that may hold a record with timestamp >= `timestamp`, from `from` on, in order. */
export async function batchesWithTimestampAtLeast(
  db: Queryable,
  id: string,
  timestamp: number,
  from: number,
  limit: number,
): Promise<{ lastOffset: number; bytes: Buffer }[]> {
  const { rows } = await db.query<{ last_offset: string; bytes: Buffer }>(
    `SELECT last_offset, bytes FROM logbook_batch
     WHERE partition_id = $1 AND last_offset >= $3 AND max_timestamp >= $2
     ORDER BY last_offset LIMIT $4`,
    [id, timestamp, from, limit],
  );
  return rows.map((r) => ({ lastOffset: Number(r.last_offset), bytes: r.bytes }));
}

/** Batches by descending maxTimestamp (ties: lower offset first), from `from` on. */
export async function batchesByNewest(
  db: Queryable,
  id: string,
  from: number,
  limit: number,
): Promise<{ maxTimestamp: number; bytes: Buffer }[]> {
  const { rows } = await db.query<{ max_timestamp: string; bytes: Buffer }>(
    `SELECT max_timestamp, bytes FROM logbook_batch WHERE partition_id = $1 AND last_offset >= $2
     ORDER BY max_timestamp DESC, last_offset LIMIT $3`,
    [id, from, limit],
  );
  return rows.map((r) => ({ maxTimestamp: Number(r.max_timestamp), bytes: r.bytes }));
}
