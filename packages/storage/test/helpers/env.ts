import { type Clock, realClock } from "../../src/env/clock.js";
import type { Fs } from "../../src/env/fs.js";
import { realFs } from "../../src/env/real-fs.js";

/** The real file system and clock, for tests that open logs on a temp directory. */
export function realEnv(): { fs: Fs; clock: Clock } {
  return { fs: realFs, clock: realClock() };
}
