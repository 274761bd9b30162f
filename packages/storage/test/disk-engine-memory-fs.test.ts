/**
 * The disk engine on the in-memory Fs passes the same engine suite as on a real disk:
 * the Fs seam carries everything the engine does with files (locks included), so the
 * power-loss tests' file system is a faithful stand-in for the real one.
 */

import { openStorageEngine } from "../src/engines.js";
import { realClock } from "../src/env/clock.js";
import { MemoryFs } from "../src/env/memory-fs.js";
import { runEngineConformance } from "./engine-conformance.js";

runEngineConformance("disk on the in-memory Fs", async () => {
  const clock = realClock();
  const fs = new MemoryFs(() => clock.now());
  return {
    engine: await openStorageEngine("file:///data", { fs, clock }),
    reopen: () => openStorageEngine("file:///data", { fs, clock }),
    cleanup: async () => {},
  };
});
