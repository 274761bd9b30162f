import {
  close,
  fdatasync,
  fstat,
  fsync,
  ftruncate,
  open,
  read,
  type Stats,
  write,
  writev,
} from "node:fs";
import { type FsFile, fsError, type OpenFlags } from "./fs.js";

/**
 * An open file on node:fs's callback functions rather than a node:fs/promises
 * FileHandle. Each FileHandle call allocates a promise request with its own stats array
 * and takes and drops a reference on the handle: measured here (bench/file-calls.ts), a
 * FileHandle read of 8 KiB costs the main thread 11.6-13.0 µs against 7.4-7.6 µs this
 * way, a writev 11.0-12.0 µs against 8.0-8.6 µs, and every fetch and append makes one
 * (docs/performance.md, "File calls without FileHandle"). What the FileHandle gave is kept: close waits for the calls in flight,
 * so a descriptor is never reused under a read, and a call after close fails with EBADF.
 */
export class FdFile implements FsFile {
  private inFlight = 0;
  private drained: (() => void) | null = null;
  private closing: Promise<void> | null = null;

  private constructor(readonly fd: number) {}

  static open(path: string, flags: OpenFlags): Promise<FdFile> {
    return new Promise((resolve, reject) => {
      open(path, flags, (e, fd) => (e === null ? resolve(new FdFile(fd)) : reject(e)));
    });
  }

  read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }> {
    return this.call<number, { bytesRead: number }>(
      (done) => read(this.fd, buffer, offset, length, position, done),
      (bytesRead) => ({ bytesRead }),
    );
  }

  write(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesWritten: number }> {
    return this.call<number, { bytesWritten: number }>(
      (done) => write(this.fd, buffer, offset, length, position, done),
      (bytesWritten) => ({ bytesWritten }),
    );
  }

  writev(buffers: Buffer[], position: number): Promise<{ bytesWritten: number }> {
    return this.call<number, { bytesWritten: number }>(
      (done) => writev(this.fd, buffers, position, done),
      (bytesWritten) => ({ bytesWritten }),
    );
  }

  truncate(length: number): Promise<void> {
    return this.call<void, void>((done) => ftruncate(this.fd, length, done), noResult);
  }

  stat(): Promise<Stats> {
    return this.call<Stats, Stats>(
      (done) => fstat(this.fd, done),
      (s) => s,
    );
  }

  sync(): Promise<void> {
    return this.call<void, void>((done) => fsync(this.fd, done), noResult);
  }

  datasync(): Promise<void> {
    return this.call<void, void>((done) => fdatasync(this.fd, done), noResult);
  }

  close(): Promise<void> {
    if (this.closing === null) {
      const waiting =
        this.inFlight === 0
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              this.drained = resolve;
            });
      this.closing = waiting.then(
        () =>
          new Promise<void>((resolve, reject) =>
            close(this.fd, (e) => (e === null ? resolve() : reject(e))),
          ),
      );
    }
    return this.closing;
  }

  /** Starts one call on the descriptor, counted until its callback runs. */
  private call<R, T>(
    start: (done: (e: NodeJS.ErrnoException | null, result: R) => void) => void,
    shape: (result: R) => T,
  ): Promise<T> {
    if (this.closing !== null) return Promise.reject(fsError("EBADF", "file closed"));
    this.inFlight++;
    return new Promise<T>((resolve, reject) => {
      const done = (e: NodeJS.ErrnoException | null, result: R) => {
        if (--this.inFlight === 0 && this.drained !== null) this.drained();
        if (e === null) resolve(shape(result));
        else reject(e);
      };
      try {
        start(done);
      } catch (e) {
        // Arguments node:fs refuses before starting (a range error): nothing is in flight.
        done(e as NodeJS.ErrnoException, undefined as R);
      }
    });
  }
}

const noResult = (): void => undefined;
