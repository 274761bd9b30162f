import { after, before } from "node:test";
import { PostgresServer } from "../../../../scripts/postgres/server.js";

/**
 * One throwaway PostgreSQL server for the test file (started before its tests, stopped
 * after) and a fresh database per call, so tests never see each other's partitions.
 */
export function postgresDatabases(prefix: string): () => Promise<string> {
  let server: PostgresServer | undefined;
  let count = 0;
  before(async () => {
    server = await PostgresServer.start();
  });
  after(async () => {
    await server?.stop();
  });
  return () => {
    if (server === undefined) throw new Error("the PostgreSQL server is not started");
    count++;
    return server.createDatabase(`${prefix}_${process.pid}_${count}`);
  };
}
