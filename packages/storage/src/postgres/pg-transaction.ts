import type pg from "pg";

/**
 * Runs `work` on a connection of its own; a connection lost while checked out reports
 * there, not to the pool: a query then fails with the cause, and the process must not
 * end on an unhandled 'error'. A failed connection is discarded, never reused.
 */
export async function withClient<T>(
  pool: pg.Pool,
  work: (c: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  const ignore = () => {};
  client.on("error", ignore);
  let broken: Error | undefined;
  try {
    return await work(client);
  } catch (e) {
    broken = e instanceof Error ? e : new Error(String(e));
    throw e;
  } finally {
    client.off("error", ignore);
    // Destroyed after a failure: it may hold session state (advisory locks, temp tables).
    client.release(broken);
  }
}

/** Runs `work` in one transaction on `client`: committed if it returns, rolled back if it throws. */
export async function inTransaction<T>(client: pg.PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    const result = await work();
    await client.query("COMMIT");
    return result;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e;
  }
}
