import { RecordBatchHeader } from "@logbook/protocol";
import type pg from "pg";
import { type CompactionPassTarget, isAbortMarker, runCompactionPass } from "../cleaner/index.js";
import type { LogConfig } from "../config.js";
import type { Logger } from "../logger.js";
import { collectAborted } from "../transactions/collect-aborted.js";
import { loadPartition } from "./pg-queries.js";
import type { PgSegment } from "./pg-segment.js";
import { inTransaction, withClient } from "./pg-transaction.js";

/**
 * First key of the per-partition cleaning locks. Two-key advisory locks live apart from
 * one-key ones (the migration lock), so partition ids cannot collide with it.
 */
const CLEANER_LOCK_SPACE = 0x6c_62_63;
/** Batches read per query while cleaning, and cleaned batches staged per insert. */
const PAGE_ROWS = 256;
/** NOTIFY payload suffix telling every broker that a partition's closed rows were rewritten. */
export const REWRITTEN = "rewritten";

export interface PgCompactionRequest {
  pool: pg.Pool;
  /** The partition's id in the database. */
  id: string;
  config: LogConfig;
  logger: Logger;
  /** The calling broker's last stable offset: nothing at or above it is cleaned. */
  lastStableOffset: number;
  now: number;
  /** Test hook: runs when a cleaned segment is staged, right before its swap. */
  beforeSwap?: (segmentBase: number) => Promise<void>;
}

export interface PgCompactionResult {
  freed: number;
  /** Segments whose rows were replaced. */
  swapped: number;
}

/** A truncation changed the partition after the round read it: the round stops. */
class PartitionChanged extends Error {}

/**
 * One compaction round of a partition stored in PostgreSQL: the shared pass
 * (../cleaner/compaction-pass.ts) over the rows of its closed segments.
 *
 * One broker at a time: every broker runs maintenance, so the round first takes a
 * session advisory lock on the partition (pg_try_advisory_lock); a broker that does not
 * get it skips the round, and a broker that dies mid-round loses its session and with it
 * the lock. Two passes interleaving their swaps could otherwise combine segments cleaned
 * against different offset maps (a tombstone dropped by one while the other kept the
 * value it deletes).
 *
 * Each cleaned segment is staged in a temporary table, then swapped in ONE transaction:
 * its old batch rows are deleted, the staged rows inserted at the same offsets, its
 * bookkeeping row and the transaction index updated. The swap first locks the partition
 * row FOR KEY SHARE, which appends (they update other columns) pass but truncation,
 * retention and DeleteRecords (FOR UPDATE) wait for; it goes ahead only if no truncation
 * happened since the round read the partition (`truncations` unchanged: what the offset
 * map was built from still stands) and the segment is still there with the size read.
 * Otherwise the round gives up and a later one starts afresh. Appends only add rows
 * after the closed segments, so none is lost. A reader on any broker runs each query on
 * one snapshot, so it sees a segment either before or after its swap; batches are
 * located by offset, so no cached position goes stale. The swap NOTIFYs every broker,
 * which rereads the partition's segment sizes and transaction index.
 */
export async function compactPgPartition(req: PgCompactionRequest): Promise<PgCompactionResult> {
  return withClient(req.pool, async (client) => {
    const key = lockKey(req.id);
    const { rows } = await client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock($1, $2) AS locked",
      [CLEANER_LOCK_SPACE, key],
    );
    if (rows[0]?.locked !== true) return { freed: 0, swapped: 0 };
    const result: PgCompactionResult = { freed: 0, swapped: 0 };
    try {
      result.freed = await cleanRound(client, req, result);
    } catch (e) {
      if (!(e instanceof PartitionChanged)) throw e;
      req.logger.debug("compaction round stopped: the partition was truncated meanwhile", {
        swapped: result.swapped,
      });
    } finally {
      await client.query("DROP TABLE IF EXISTS pg_temp.logbook_cleaned");
      await client.query("SELECT pg_advisory_unlock($1, $2)", [CLEANER_LOCK_SPACE, key]);
    }
    return result;
  });
}

async function cleanRound(
  client: pg.PoolClient,
  req: PgCompactionRequest,
  result: PgCompactionResult,
): Promise<number> {
  const { id } = req;
  const state = await inTransaction(client, async () => {
    // One snapshot for the segments, the transaction index, open transactions and the
    // cleaner's bookkeeping (an abort committed between two reads would otherwise let
    // its data pass for committed).
    await client.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    const { rows } = await client.query<{ cleaner_offset: string; truncations: string }>(
      "SELECT cleaner_offset, truncations FROM logbook_partition WHERE id = $1",
      [id],
    );
    const row = rows[0];
    if (row === undefined) throw new PartitionChanged();
    return {
      snapshot: await loadPartition(client, id, true),
      cleanerOffset: Number(row.cleaner_offset),
      truncations: row.truncations,
    };
  });
  const { snapshot } = state;
  const segments = snapshot.segments;
  const nextBase = new Map<PgSegment, number>();
  for (const [i, s] of segments.entries())
    nextBase.set(s, segments[i + 1]?.baseOffset ?? snapshot.nextOffset);
  const activeBase = (segments.at(-1) as PgSegment).baseOffset;
  let stable = Math.min(req.lastStableOffset, snapshot.nextOffset);
  // The database's open transactions too: this broker's view may lag another writer's.
  for (const [, first] of snapshot.openTxns) stable = Math.min(stable, first);

  const target: CompactionPassTarget<PgSegment> = {
    config: req.config,
    logger: req.logger,
    closedSegments: () => segments.slice(0, -1),
    nextBaseAfter: (seg) => nextBase.get(seg) ?? snapshot.nextOffset,
    lastStableOffset: stable,
    cleanerOffset: Math.max(state.cleanerOffset, snapshot.logStartOffset),
    abortedTransactions: (from, to) => collectAborted(segments, from, to),
    batches: (segs) => segmentBatches(client, id, segs),
    lastBatchPerProducer: () => lastBatchPerProducer(client, id, activeBase),
    replaceSegment: async (seg, cleaned) => {
      const freed = await replaceSegment(client, req, state.truncations, seg, cleaned);
      if (freed !== null) result.swapped++;
      return freed ?? 0;
    },
    setCleanerOffset: async (offset) => {
      await client.query(
        `UPDATE logbook_partition SET cleaner_offset = greatest(cleaner_offset, $2)
         WHERE id = $1 AND truncations = $3`,
        [id, offset, state.truncations],
      );
    },
  };
  return runCompactionPass(target, req.now);
}

/** The stored batches of `segments`, in offset order, a page of rows per query. */
async function* segmentBatches(
  client: pg.PoolClient,
  id: string,
  segments: readonly PgSegment[],
): AsyncGenerator<Buffer> {
  for (const seg of segments) {
    let after = seg.baseOffset - 1;
    for (;;) {
      const { rows } = await client.query<{ last_offset: string; bytes: Buffer }>(
        `SELECT last_offset, bytes FROM logbook_batch
         WHERE partition_id = $1 AND segment_base = $2 AND last_offset > $3
         ORDER BY last_offset LIMIT $4`,
        [id, seg.baseOffset, after, PAGE_ROWS],
      );
      for (const r of rows) yield r.bytes;
      if (rows.length < PAGE_ROWS) break;
      after = Number((rows.at(-1) as { last_offset: string }).last_offset);
    }
  }
}

/** For each producer id, the base offset of its last batch before the active segment. */
async function lastBatchPerProducer(
  client: pg.PoolClient,
  id: string,
  activeBase: number,
): Promise<Map<bigint, number>> {
  // The producer id is the 8 bytes at offset 43 of a batch (substring counts from 1).
  const { rows } = await client.query<{ pid: Buffer; base: string }>(
    `SELECT substring(bytes from 44 for 8) AS pid, max(base_offset) AS base FROM logbook_batch
     WHERE partition_id = $1 AND segment_base < $2 GROUP BY 1`,
    [id, activeBase],
  );
  const last = new Map<bigint, number>();
  for (const r of rows) {
    const producerId = r.pid.readBigInt64BE(0);
    if (producerId >= 0n) last.set(producerId, Number(r.base));
  }
  return last;
}

/**
 * Stages `cleaned` and swaps it in for `seg`'s rows (see compactPgPartition). Returns
 * the bytes freed, or null when nothing was swapped (nothing removed, or retention took
 * the segment meanwhile).
 */
async function replaceSegment(
  client: pg.PoolClient,
  req: PgCompactionRequest,
  truncations: string,
  seg: PgSegment,
  cleaned: AsyncGenerator<Buffer>,
): Promise<number | null> {
  await client.query(
    `CREATE TEMP TABLE IF NOT EXISTS logbook_cleaned
       (last_offset bigint, base_offset bigint, max_timestamp bigint, size integer, bytes bytea)`,
  );
  await client.query("TRUNCATE logbook_cleaned");
  let size = 0;
  let maxTimestamp = -1;
  const keptAborts = new Set<number>();
  let staged: { header: RecordBatchHeader; bytes: Buffer }[] = [];
  const flush = async () => {
    if (staged.length === 0) return;
    await client.query(
      `INSERT INTO logbook_cleaned
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::int[], $5::bytea[])`,
      [
        staged.map((b) => b.header.lastOffset.toString()),
        staged.map((b) => b.header.baseOffset.toString()),
        staged.map((b) => b.header.maxTimestamp.toString()),
        staged.map((b) => b.bytes.length),
        staged.map((b) => b.bytes),
      ],
    );
    staged = [];
  };
  for await (const batch of cleaned) {
    const header = RecordBatchHeader.at(batch);
    staged.push({ header, bytes: batch });
    size += batch.length;
    maxTimestamp = Math.max(maxTimestamp, Number(header.maxTimestamp));
    if (isAbortMarker(batch)) keptAborts.add(Number(header.baseOffset));
    if (staged.length >= PAGE_ROWS) await flush();
  }
  await flush();
  // Nothing was removed: keep the old rows.
  if (size === seg.size) return null;
  await req.beforeSwap?.(seg.baseOffset);
  const id = req.id;
  // An entry stays while its marker does (see the disk engine's swap).
  const droppedEntries = seg.abortedTxns
    .filter((e) => !keptAborts.has(e.lastOffset))
    .map((e) => e.lastOffset);
  return inTransaction(client, async () => {
    const p = await client.query<{ truncations: string }>(
      "SELECT truncations FROM logbook_partition WHERE id = $1 FOR KEY SHARE",
      [id],
    );
    if (p.rows[0]?.truncations !== truncations) throw new PartitionChanged();
    const s = await client.query<{ size: string }>(
      "SELECT size FROM logbook_segment WHERE partition_id = $1 AND base_offset = $2 FOR UPDATE",
      [id, seg.baseOffset],
    );
    const current = s.rows[0];
    if (current === undefined) return null;
    if (Number(current.size) !== seg.size) throw new PartitionChanged();
    await client.query("DELETE FROM logbook_batch WHERE partition_id = $1 AND segment_base = $2", [
      id,
      seg.baseOffset,
    ]);
    await client.query(
      `INSERT INTO logbook_batch (partition_id, last_offset, base_offset, segment_base, max_timestamp, size, bytes)
       SELECT $1, last_offset, base_offset, $2, max_timestamp, size, bytes FROM logbook_cleaned`,
      [id, seg.baseOffset],
    );
    await client.query(
      "UPDATE logbook_segment SET size = $3, max_timestamp = $4 WHERE partition_id = $1 AND base_offset = $2",
      [id, seg.baseOffset, size, maxTimestamp],
    );
    await client.query(
      "DELETE FROM logbook_aborted_txn WHERE partition_id = $1 AND last_offset = ANY($2::bigint[])",
      [id, droppedEntries],
    );
    await client.query(
      "SELECT pg_notify('logbook_append', id || ' ' || next_offset || ' ' || $2::text) FROM logbook_partition WHERE id = $1",
      [id, REWRITTEN],
    );
    return seg.size - size;
  });
}

/**
 * Which of these ABORT marker offsets the transaction index still holds. A broker's
 * in-memory index may still list an entry that another broker's compaction removed with
 * its marker; served, it would make a read_committed consumer skip that producer's
 * later, committed data.
 */
export async function storedAbortMarkers(
  db: Pick<pg.Pool, "query">,
  id: string,
  lastOffsets: readonly number[],
): Promise<Set<number>> {
  const { rows } = await db.query<{ last_offset: string }>(
    "SELECT last_offset FROM logbook_aborted_txn WHERE partition_id = $1 AND last_offset = ANY($2::bigint[])",
    [id, lastOffsets],
  );
  return new Set(rows.map((r) => Number(r.last_offset)));
}

/** The partition's key in the cleaning lock space (an int4; a rare collision only skips a round). */
function lockKey(id: string): number {
  return Number(BigInt(id) % 2_147_483_648n);
}
