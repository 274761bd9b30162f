import type pg from "pg";
import { OpenTransactions } from "../transactions/open-transactions.js";
import { inTransaction, withClient } from "./pg-transaction.js";

/**
 * Retention and DeleteRecords in one transaction: the batches, bookkeeping and index
 * entries of whole leading segments go, and the log start moves (never backwards). The
 * partition row is locked first so that the deletion runs after any compaction swap in
 * progress (pg-compaction.ts) and sees its rows: a statement started before the swap
 * committed would miss the rows the swap inserted and leave them behind.
 */
export async function deleteSegments(
  pool: pg.Pool,
  id: string,
  segmentBases: readonly number[],
  newStart: number,
): Promise<void> {
  await withClient(pool, (client) =>
    inTransaction(client, async () => {
      await client.query("SELECT 1 FROM logbook_partition WHERE id = $1 FOR UPDATE", [id]);
      await client.query(
        `WITH b AS (
           DELETE FROM logbook_batch WHERE partition_id = $1 AND segment_base = ANY($2::bigint[]) RETURNING 1
         ), s AS (
           DELETE FROM logbook_segment WHERE partition_id = $1 AND base_offset = ANY($2::bigint[]) RETURNING 1
         ), a AS (
           DELETE FROM logbook_aborted_txn WHERE partition_id = $1 AND last_offset < $4 RETURNING 1
         )
         UPDATE logbook_partition SET log_start_offset = greatest(log_start_offset, $3) WHERE id = $1`,
        [id, segmentBases, newStart, segmentBases.length === 0 ? -1 : newStart],
      );
    }),
  );
}

/**
 * PartitionLog.truncateTo in one transaction, following Kafka's UnifiedLog.truncateTo:
 * from the batch holding `offset` everything goes; below the first segment the log
 * restarts empty at `offset`. Open transactions are recomputed from what is left.
 */
export async function rewriteAfterTruncate(
  pool: pg.Pool,
  id: string,
  offset: number,
  now: number,
): Promise<void> {
  await withClient(pool, (client) =>
    inTransaction(client, async () => {
      await client.query("SELECT 1 FROM logbook_partition WHERE id = $1 FOR UPDATE", [id]);
      const first = await client.query<{ base: string | null }>(
        "SELECT min(base_offset) AS base FROM logbook_segment WHERE partition_id = $1",
        [id],
      );
      const firstBase = first.rows[0]?.base;
      if (firstBase === null || firstBase === undefined || offset < Number(firstBase)) {
        for (const table of [
          "logbook_batch",
          "logbook_segment",
          "logbook_aborted_txn",
          "logbook_open_txn",
        ])
          await client.query(`DELETE FROM ${table} WHERE partition_id = $1`, [id]);
        await client.query(
          `UPDATE logbook_partition SET next_offset = $2, log_start_offset = $2, created_ms = $3,
           cleaner_offset = $2, truncations = truncations + 1 WHERE id = $1`,
          [id, offset, now],
        );
      } else {
        const holding = await client.query<{ base_offset: string }>(
          `SELECT base_offset FROM logbook_batch WHERE partition_id = $1 AND last_offset >= $2
         ORDER BY last_offset LIMIT 1`,
          [id, offset],
        );
        const cut = Number(holding.rows[0]?.base_offset ?? offset);
        await client.query(
          "DELETE FROM logbook_batch WHERE partition_id = $1 AND last_offset >= $2",
          [id, cut],
        );
        await client.query(
          "DELETE FROM logbook_segment WHERE partition_id = $1 AND base_offset >= $2 AND base_offset > $3",
          [id, offset, Number(firstBase)],
        );
        await client.query(
          `UPDATE logbook_segment s SET
           size = coalesce((SELECT sum(b.size) FROM logbook_batch b WHERE b.partition_id = s.partition_id AND b.segment_base = s.base_offset), 0),
           max_timestamp = coalesce((SELECT max(b.max_timestamp) FROM logbook_batch b WHERE b.partition_id = s.partition_id AND b.segment_base = s.base_offset), -1)
         WHERE s.partition_id = $1 AND s.base_offset = (SELECT max(base_offset) FROM logbook_segment WHERE partition_id = $1)`,
          [id],
        );
        await client.query(
          "DELETE FROM logbook_aborted_txn WHERE partition_id = $1 AND last_offset >= $2",
          [id, cut],
        );
        await client.query(
          `UPDATE logbook_partition SET next_offset = $2, log_start_offset = least(log_start_offset, $2),
           cleaner_offset = least(cleaner_offset, $2), truncations = truncations + 1 WHERE id = $1`,
          [id, cut],
        );
        // Transactions the cut reopened: replay the headers (and markers) of what is left.
        const txns = new OpenTransactions();
        const heads = await client.query<{ head: Buffer }>(
          `SELECT CASE WHEN (get_byte(bytes, 22) & 32) <> 0 THEN bytes ELSE substring(bytes from 1 for 61) END AS head
         FROM logbook_batch WHERE partition_id = $1 ORDER BY last_offset`,
          [id],
        );
        for (const r of heads.rows) txns.observe(r.head, 0);
        await client.query("DELETE FROM logbook_open_txn WHERE partition_id = $1", [id]);
        const open = txns.entries();
        if (open.length > 0) {
          await client.query(
            `INSERT INTO logbook_open_txn (partition_id, producer_id, first_offset)
           SELECT $1, x.* FROM unnest($2::bigint[], $3::bigint[]) AS x`,
            [id, open.map(([p]) => p.toString()), open.map(([, o]) => o)],
          );
        }
      }
    }),
  );
}
