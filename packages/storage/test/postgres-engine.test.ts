/** The PostgreSQL engine against the shared engine suite and the model, on a real server. */
import { after, before, test } from "node:test";
import { PostgresServer } from "../../../scripts/postgres/server.js";
import { logConfig } from "../src/config.js";
import { openStorageEngine } from "../src/engines.js";
import { runEngineConformance } from "./engine-conformance.js";
import { checkModel } from "./model-check.js";

let server: PostgresServer;
let databases = 0;

before(async () => {
  server = await PostgresServer.start();
});
after(async () => {
  await server?.stop();
});

/** A fresh database per test: tests never see each other's partitions. */
async function freshDatabase(): Promise<string> {
  databases++;
  return server.createDatabase(`conformance_${process.pid}_${databases}`);
}

runEngineConformance("postgres", async () => {
  const url = await freshDatabase();
  return {
    engine: await openStorageEngine(url),
    reopen: () => openStorageEngine(url),
    cleanup: async () => {},
  };
});

test("postgres engine matches the reference log model over random command sequences", async () => {
  await checkModel(async () => {
    const engine = await openStorageEngine(await freshDatabase());
    const log = await engine.open({ topic: "model", partition: 0 }, logConfig());
    return { log, cleanup: () => engine.close() };
  }, 20);
});
