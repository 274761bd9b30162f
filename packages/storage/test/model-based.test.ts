import { test } from "node:test";
import { logConfig } from "../src/config.js";
import { realClock } from "../src/env/clock.js";
import { MemoryEngine } from "../src/memory/index.js";
import { checkModel } from "./model-check.js";

test("memory engine matches the reference log model over random command sequences", async () => {
  await checkModel(async () => {
    const engine = new MemoryEngine({ clock: realClock() });
    const log = await engine.open({ topic: "model", partition: 0 }, logConfig());
    return { log, cleanup: () => engine.close() };
  }, 150);
});
