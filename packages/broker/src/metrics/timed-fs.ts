/**
 * An Fs whose fsyncs are timed (Kafka's LogFlushStats): files it opens time their
 * sync/datasync, and so do flushed writeFile and syncDir. Only used with metrics on.
 */
import { type Fs, type FsFile, monotonicMs } from "@logbook/storage";

export function timedFs(inner: Fs, took: (seconds: number) => void): Fs {
  const timed = async (sync: () => Promise<void>) => {
    const started = monotonicMs();
    await sync();
    took((monotonicMs() - started) / 1000);
  };
  const wrap = (f: FsFile): FsFile => ({
    fd: f.fd,
    read: (...a) => f.read(...a),
    write: (...a) => f.write(...a),
    writev: (...a) => f.writev(...a),
    truncate: (n) => f.truncate(n),
    stat: () => f.stat(),
    sync: () => timed(() => f.sync()),
    datasync: () => timed(() => f.datasync()),
    close: () => f.close(),
  });
  return {
    open: async (path, flags) => wrap(await inner.open(path, flags)),
    readFile: (p) => inner.readFile(p),
    writeFile: (p, data, options) =>
      options?.flush === true
        ? timed(() => inner.writeFile(p, data, options))
        : inner.writeFile(p, data, options),
    rename: (a, b) => inner.rename(a, b),
    rm: (p, o) => inner.rm(p, o),
    readdir: (p) => inner.readdir(p),
    stat: (p) => inner.stat(p),
    mkdir: (p, o) => inner.mkdir(p, o),
    syncDir: (p) => timed(() => inner.syncDir(p)),
    // Locks go by the descriptor, which the wrapper carries.
    tryLock: (file) => inner.tryLock(file),
  };
}
