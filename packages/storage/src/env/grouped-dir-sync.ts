/**
 * Group commit for directory fsyncs: requests to sync a directory that arrive while a
 * sync of it runs share the next one. A new partition makes itself durable by syncing
 * its own directory and the data directory; a 100-partition topic written to at once
 * would otherwise fsync the data directory 100 times in a row (docs/performance.md,
 * "Many partitions"). A request never shares a sync that had already started: that one
 * may have missed the entry the request is about.
 */
import { forwardFs } from "./forward-fs.js";
import type { Fs } from "./fs.js";

const ignore = (): void => {};

/** The syncs of one directory: the one running and the one the requests since will share. */
class DirSyncs {
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(
    private readonly sync: () => Promise<void>,
    /** Nothing running or queued: the caller may forget this directory. */
    private readonly idle: () => void,
  ) {}

  request(): Promise<void> {
    if (this.running === null) return this.start();
    if (this.queued === null) {
      this.queued = this.running.then(ignore, ignore).then(() => {
        this.queued = null;
        return this.start();
      });
    }
    return this.queued;
  }

  private start(): Promise<void> {
    const run = this.sync().finally(() => {
      if (this.running !== run) return;
      this.running = null;
      if (this.queued === null) this.idle();
    });
    this.running = run;
    return run;
  }
}

/** `fs` with concurrent syncDir calls of one path grouped; every other call forwarded. */
export function withGroupedDirSync(fs: Fs): Fs {
  const byPath = new Map<string, DirSyncs>();
  return forwardFs(fs, {
    syncDir: (path) => {
      let syncs = byPath.get(path);
      if (syncs === undefined) {
        syncs = new DirSyncs(
          () => fs.syncDir(path),
          () => byPath.delete(path),
        );
        byPath.set(path, syncs);
      }
      return syncs.request();
    },
  });
}
