import { hostname } from "node:os";
import { join } from "node:path";
import type { Clock } from "../env/clock.js";
import type { Fs, FsFile } from "../env/fs.js";
import { utcTimestamp } from "../env/utc-timestamp.js";

/** The lock file in a data directory, as Kafka names it. */
export const LOCK_FILE = ".lock";

/** Another process (or another engine in this one) holds the data directory. */
export class DataDirLockedError extends Error {
  override readonly name = "DataDirLockedError";
  constructor(
    readonly dataDir: string,
    /** What the holder wrote into the lock file (pid, host, start time), if readable. */
    readonly owner: string,
  ) {
    super(
      `data directory ${dataDir} is in use by another Logbook process (${owner || "owner unknown"}); ` +
        "stop that process or start this one with another data directory",
    );
  }
}

/**
 * An exclusive OS lock on `<dataDir>/.lock` (an open file description lock on Linux),
 * held for as long as the engine is open, so two brokers never write one log: both
 * would assign the same offsets and overwrite acknowledged records. The kernel drops
 * the lock when the process dies, so a SIGKILLed broker never leaves a stale one.
 */
export class DataDirLock {
  private constructor(private readonly fh: FsFile) {}

  static async acquire(fs: Fs, clock: Clock, dataDir: string): Promise<DataDirLock> {
    const path = join(dataDir, LOCK_FILE);
    // "a+" creates the file without truncating what the current holder wrote.
    const fh = await fs.open(path, "a+");
    let locked = false;
    try {
      locked = fs.tryLock(fh);
    } finally {
      if (!locked) await fh.close();
    }
    if (!locked) {
      const owner = await fs.readFile(path).then(
        (b) => b.toString("utf8"),
        () => "",
      );
      throw new DataDirLockedError(dataDir, owner.trim());
    }
    await fh.truncate(0);
    const owner = Buffer.from(
      `pid ${process.pid} on ${hostname()}, started ${utcTimestamp(clock.now())}\n`,
    );
    await fh.write(owner, 0, owner.length, 0);
    return new DataDirLock(fh);
  }

  /** Releases the lock (closing the file releases it). */
  async release(): Promise<void> {
    await this.fh.close();
  }
}
