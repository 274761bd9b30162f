/**
 * The file-system seam of the storage engine. Storage reaches files only through an
 * `Fs`, so tests can run it on an in-memory file system that fails a chosen write or
 * fsync and loses unsynced data at a simulated power cut (memory-fs.ts), while the
 * broker runs it on the real one (real-fs.ts). The shapes are a subset of
 * node:fs/promises.
 */

/** What storage reads from a stat. */
export interface FsStats {
  readonly size: number;
  /** Modification time (ms since the epoch). */
  readonly mtimeMs: number;
  isDirectory(): boolean;
}

/** An open file. Positions are explicit: storage never relies on a file cursor. */
export interface FsFile {
  /** The descriptor, for the OS lock (see Fs.tryLock). */
  readonly fd: number;
  read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }>;
  write(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesWritten: number }>;
  writev(buffers: Buffer[], position: number): Promise<{ bytesWritten: number }>;
  truncate(length: number): Promise<void>;
  stat(): Promise<FsStats>;
  /** fsync: the file's data and metadata are durable once it resolves. */
  sync(): Promise<void>;
  /** fdatasync: the file's data (and its size) are durable once it resolves. */
  datasync(): Promise<void>;
  close(): Promise<void>;
}

/** The open modes storage uses, with Node's meanings ("w" truncates, "a+" creates). */
export type OpenFlags = "r" | "r+" | "w" | "w+" | "a+";

export interface Fs {
  open(path: string, flags: OpenFlags): Promise<FsFile>;
  readFile(path: string): Promise<Buffer>;
  /** Replaces a file's content; with `flush` it is fsynced before this resolves. */
  writeFile(path: string, data: string | Buffer, options?: { flush?: boolean }): Promise<void>;
  /** Atomic replace of `to`; durable only once the directories involved are synced. */
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options?: { recursive?: boolean; force?: boolean }): Promise<void>;
  /** Entry names of a directory. */
  readdir(path: string): Promise<string[]>;
  stat(path: string): Promise<FsStats>;
  mkdir(path: string, options?: { recursive?: boolean }): Promise<void>;
  /** fsync a directory, so entries created, renamed or removed in it survive a power loss. */
  syncDir(path: string): Promise<void>;
  /** Takes an exclusive lock on an open file; false when another open file holds it. */
  tryLock(file: FsFile): boolean;
}

/** An error shaped like Node's system errors (`code`, `syscall`, `path`). */
export function fsError(code: string, syscall: string, path = ""): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`${code}: ${syscall}${path ? ` '${path}'` : ""}`);
  e.code = code;
  e.syscall = syscall;
  if (path) e.path = path;
  return e;
}

/** Whether `e` is a file-system error with this code (e.g. "ENOENT"). */
export function hasErrorCode(e: unknown, code: string): boolean {
  return (e as NodeJS.ErrnoException | null)?.code === code;
}
