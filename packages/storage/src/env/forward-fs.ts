import type { Fs } from "./fs.js";

/** An Fs that passes every call to `inner` except the ones `overrides` replaces. */
export function forwardFs(inner: Fs, overrides: Partial<Fs>): Fs {
  return {
    open: (path, flags) => inner.open(path, flags),
    readFile: (path) => inner.readFile(path),
    writeFile: (path, data, options) => inner.writeFile(path, data, options),
    rename: (from, to) => inner.rename(from, to),
    rm: (path, options) => inner.rm(path, options),
    readdir: (path) => inner.readdir(path),
    stat: (path) => inner.stat(path),
    mkdir: (path, options) => inner.mkdir(path, options),
    syncDir: (path) => inner.syncDir(path),
    tryLock: (file) => inner.tryLock(file),
    ...overrides,
  };
}
