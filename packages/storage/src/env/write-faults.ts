import { type Fs, type FsFile, fsError, type OpenFlags } from "./fs.js";

/** The errors a full disk and a read-only file system give. */
export type WriteFaultCode = "ENOSPC" | "EROFS";

const WRITING_FLAGS: ReadonlySet<OpenFlags> = new Set(["r+", "w", "w+", "a+"]);

/**
 * A switch around a real Fs for fault tests of a whole broker: while `active`, every
 * call that would write (a file write or truncate; opening for writing, mkdir, rename,
 * rm, writeFile) fails with `code`, as a full disk or a read-only remount makes it;
 * reads and fsyncs go on (a failed fsync is a different fault). Off, it only forwards.
 */
export class WriteFaults {
  active = false;
  readonly fs: Fs;

  constructor(
    inner: Fs,
    readonly code: WriteFaultCode,
  ) {
    const guard = (syscall: string): void => {
      if (this.active) throw fsError(this.code, syscall);
    };
    this.fs = {
      open: async (path, flags) => {
        if (WRITING_FLAGS.has(flags)) guard("open");
        return this.file(await inner.open(path, flags));
      },
      readFile: (path) => inner.readFile(path),
      writeFile: async (path, data, options) => {
        guard("write");
        return inner.writeFile(path, data, options);
      },
      rename: async (from, to) => {
        guard("rename");
        return inner.rename(from, to);
      },
      rm: async (path, options) => {
        guard("rm");
        return inner.rm(path, options);
      },
      readdir: (path) => inner.readdir(path),
      stat: (path) => inner.stat(path),
      mkdir: async (path, options) => {
        guard("mkdir");
        return inner.mkdir(path, options);
      },
      syncDir: (path) => inner.syncDir(path),
      // The wrapped file carries the real descriptor, which is what a lock needs.
      tryLock: (file) => inner.tryLock(file),
    };
  }

  private file(f: FsFile): FsFile {
    const guard = (syscall: string): void => {
      if (this.active) throw fsError(this.code, syscall);
    };
    return {
      fd: f.fd,
      read: (buffer, offset, length, position) => f.read(buffer, offset, length, position),
      write: async (buffer, offset, length, position) => {
        guard("write");
        return f.write(buffer, offset, length, position);
      },
      writev: async (buffers, position) => {
        guard("writev");
        return f.writev(buffers, position);
      },
      truncate: async (length) => {
        guard("ftruncate");
        return f.truncate(length);
      },
      stat: () => f.stat(),
      sync: () => f.sync(),
      datasync: () => f.datasync(),
      close: () => f.close(),
    };
  }
}
