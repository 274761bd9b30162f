import { posix } from "node:path";
import { type Fs, type FsFile, type FsStats, fsError, type OpenFlags } from "./fs.js";

class MemFile {
  /** Bytes as written (what reads see); `size` of them are the file. */
  data: Buffer = Buffer.alloc(0);
  size = 0;
  /** The content a power cut leaves: as of the last fsync/fdatasync. */
  synced: Buffer = Buffer.alloc(0);
  mtimeMs = 0;

  ensure(capacity: number): void {
    if (capacity <= this.data.length) return;
    const grown = Buffer.alloc(Math.max(capacity, this.data.length * 2, 64));
    this.data.copy(grown, 0, 0, this.size);
    this.data = grown;
  }
}

class MemDir {
  /** Entries as the running process sees them. */
  entries = new Map<string, MemNode>();
  /** The entries a power cut leaves: as of the last fsync of this directory. */
  durable = new Map<string, MemNode>();
}

type MemNode = MemFile | MemDir;

/** Errors of the next write or sync, set by `failNextWrite` / `failNextSync`. */
interface WriteFault {
  code: string;
  /** Bytes that still land before the write fails (a short write). */
  bytesBeforeFailure: number;
}

function stats(node: MemNode): FsStats {
  const isDir = node instanceof MemDir;
  return {
    size: isDir ? 0 : node.size,
    mtimeMs: isDir ? 0 : node.mtimeMs,
    isDirectory: () => isDir,
  };
}

/**
 * An in-memory file system that simulates what a power loss does, for deterministic
 * durability tests (in the spirit of franz-go kfake's persist_fs). The model is the
 * strict POSIX one:
 *  - a file's bytes are durable only as of its last `sync`/`datasync` (a sync also makes
 *    its size durable);
 *  - creating, renaming or removing an entry is durable only once its directory is
 *    synced (`syncDir`); directories made by `mkdir` likewise need their parent synced.
 * `powerCut()` drops everything not durable and invalidates every open file, after which
 * the storage engine is opened again on the same Fs (what a restart does).
 *
 * Faults: `failNextWrite` / `failNextSync` make the next write or sync fail with an
 * errno-like error; `haltAfter(n)` makes every operation after the next `n` mutating
 * ones fail with EIO, so the durable state is frozen at an exact step (a process that
 * loses power there); `mutations` counts those steps, to enumerate every cut point.
 */
export class MemoryFs implements Fs {
  private root = new MemDir();
  private readonly handles = new Map<number, MemFile>();
  private readonly locks = new Map<MemFile, number>();
  private nextFd = 3;
  private writeFault: WriteFault | null = null;
  private syncFault: string | null = null;
  private haltAt = Number.POSITIVE_INFINITY;
  /** Mutating operations performed so far (writes, syncs, renames, creations, removals). */
  mutations = 0;

  constructor(private readonly now: () => number = () => 0) {}

  /** The next write (or writev) writes `bytesBeforeFailure` bytes, then fails with `code`. */
  failNextWrite(code = "ENOSPC", bytesBeforeFailure = 0): void {
    this.writeFault = { code, bytesBeforeFailure };
  }

  /** The next sync of a file or directory fails with `code`, leaving the data unsynced. */
  failNextSync(code = "EIO"): void {
    this.syncFault = code;
  }

  /** Every operation after the next `n` mutating ones fails with EIO (see the class doc). */
  haltAfter(n: number): void {
    this.haltAt = this.mutations + n;
  }

  get halted(): boolean {
    return this.mutations >= this.haltAt;
  }

  /**
   * Power loss: every file goes back to its synced bytes, every directory to its synced
   * entries; open files are invalidated, locks dropped and faults cleared.
   */
  powerCut(): void {
    const reset = (dir: MemDir, seen: Set<MemNode>): void => {
      dir.entries = new Map(dir.durable);
      for (const node of dir.entries.values()) {
        if (seen.has(node)) continue;
        seen.add(node);
        if (node instanceof MemDir) reset(node, seen);
        else {
          node.data = Buffer.from(node.synced);
          node.size = node.synced.length;
        }
      }
    };
    reset(this.root, new Set());
    this.handles.clear();
    this.locks.clear();
    this.writeFault = null;
    this.syncFault = null;
    this.haltAt = Number.POSITIVE_INFINITY;
  }

  /** Test setup: a file with this content, already durable (its directories too). */
  putDurable(path: string, content: Buffer): void {
    const names = parts(path);
    const name = names.pop();
    if (name === undefined) throw fsError("EPERM", "open", path);
    let dir = this.root;
    for (const part of names) {
      const next = dir.entries.get(part) ?? new MemDir();
      if (!(next instanceof MemDir)) throw fsError("ENOTDIR", "open", path);
      dir.entries.set(part, next);
      dir.durable.set(part, next);
      dir = next;
    }
    const file = new MemFile();
    file.data = Buffer.from(content);
    file.size = content.length;
    file.synced = Buffer.from(content);
    dir.entries.set(name, file);
    dir.durable.set(name, file);
  }

  /** The current content of a file (what a reader sees). */
  contentOf(path: string): Buffer {
    const node = this.lookup(path);
    if (!(node instanceof MemFile)) throw fsError("ENOENT", "open", path);
    return Buffer.from(node.data.subarray(0, node.size));
  }

  async open(path: string, flags: OpenFlags): Promise<FsFile> {
    this.check();
    const { dir, name } = this.parent(path);
    let node = dir.entries.get(name);
    if (node instanceof MemDir) throw fsError("EISDIR", "open", path);
    if (node === undefined) {
      if (flags === "r" || flags === "r+") throw fsError("ENOENT", "open", path);
      this.mutate();
      node = new MemFile();
      node.mtimeMs = this.now();
      dir.entries.set(name, node);
    } else if (flags === "w" || flags === "w+") {
      this.mutate();
      node.size = 0;
    }
    const fd = this.nextFd++;
    this.handles.set(fd, node);
    return this.handle(fd, path);
  }

  async readFile(path: string): Promise<Buffer> {
    this.check();
    return this.contentOf(path);
  }

  async writeFile(
    path: string,
    data: string | Buffer,
    options: { flush?: boolean } = {},
  ): Promise<void> {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    const fh = await this.open(path, "w");
    try {
      await fh.write(bytes, 0, bytes.length, 0);
      if (options.flush === true) await fh.sync();
    } finally {
      await fh.close();
    }
  }

  async rename(from: string, to: string): Promise<void> {
    this.check();
    const src = this.parent(from);
    const node = src.dir.entries.get(src.name);
    if (node === undefined) throw fsError("ENOENT", "rename", from);
    const dst = this.parent(to);
    this.mutate();
    src.dir.entries.delete(src.name);
    dst.dir.entries.set(dst.name, node);
  }

  async rm(path: string, options: { recursive?: boolean; force?: boolean } = {}): Promise<void> {
    this.check();
    let target: { dir: MemDir; name: string };
    try {
      target = this.parent(path);
    } catch (e) {
      if (options.force === true) return;
      throw e;
    }
    const node = target.dir.entries.get(target.name);
    if (node === undefined) {
      if (options.force === true) return;
      throw fsError("ENOENT", "rm", path);
    }
    if (node instanceof MemDir && options.recursive !== true)
      throw fsError("ERR_FS_EISDIR", "rm", path);
    this.mutate();
    target.dir.entries.delete(target.name);
  }

  async readdir(path: string): Promise<string[]> {
    this.check();
    const node = this.lookup(path);
    if (node === undefined) throw fsError("ENOENT", "scandir", path);
    if (!(node instanceof MemDir)) throw fsError("ENOTDIR", "scandir", path);
    return [...node.entries.keys()].sort();
  }

  async stat(path: string): Promise<FsStats> {
    this.check();
    const node = this.lookup(path);
    if (node === undefined) throw fsError("ENOENT", "stat", path);
    return stats(node);
  }

  async mkdir(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    this.check();
    const existing = this.lookup(path);
    if (existing !== undefined) {
      if (options.recursive === true && existing instanceof MemDir) return;
      throw fsError("EEXIST", "mkdir", path);
    }
    const { dir, name } = this.parent(path, options.recursive === true);
    this.mutate();
    dir.entries.set(name, new MemDir());
  }

  async syncDir(path: string): Promise<void> {
    this.check();
    const node = this.lookup(path);
    if (!(node instanceof MemDir)) throw fsError("ENOENT", "fsync", path);
    this.syncCheck();
    node.durable = new Map(node.entries);
  }

  tryLock(file: FsFile): boolean {
    const node = this.handles.get(file.fd);
    if (node === undefined) throw fsError("EBADF", "flock");
    const holder = this.locks.get(node);
    if (holder !== undefined && holder !== file.fd) return false;
    this.locks.set(node, file.fd);
    return true;
  }

  private handle(fd: number, path: string): FsFile {
    const file = (): MemFile => {
      this.check();
      const node = this.handles.get(fd);
      if (node === undefined) throw fsError("EBADF", "read", path);
      return node;
    };
    const write = (buffers: Buffer[], position: number): number => {
      const f = file();
      let fault: WriteFault | null = null;
      if (this.writeFault !== null) {
        fault = this.writeFault;
        this.writeFault = null;
      }
      this.mutate();
      let pos = position;
      let budget = fault?.bytesBeforeFailure ?? Number.POSITIVE_INFINITY;
      for (const b of buffers) {
        const n = Math.min(b.length, budget);
        f.ensure(pos + n);
        if (pos > f.size) f.data.fill(0, f.size, pos);
        b.copy(f.data, pos, 0, n);
        pos += n;
        budget -= n;
        f.size = Math.max(f.size, pos);
      }
      f.mtimeMs = this.now();
      if (fault !== null) throw fsError(fault.code, "write", path);
      return pos - position;
    };
    const sync = async (): Promise<void> => {
      const f = file();
      this.syncCheck();
      f.synced = Buffer.from(f.data.subarray(0, f.size));
    };
    return {
      fd,
      read: async (buffer, offset, length, position) => {
        const f = file();
        const n = Math.max(0, Math.min(length, f.size - position));
        f.data.copy(buffer, offset, position, position + n);
        return { bytesRead: n };
      },
      write: async (buffer, offset, length, position) => ({
        bytesWritten: write([buffer.subarray(offset, offset + length)], position),
      }),
      writev: async (buffers, position) => ({ bytesWritten: write(buffers, position) }),
      truncate: async (length) => {
        const f = file();
        this.mutate();
        f.ensure(length);
        if (length > f.size) f.data.fill(0, f.size, length);
        f.size = length;
      },
      stat: async () => stats(file()),
      sync,
      datasync: sync,
      close: async () => {
        const node = this.handles.get(fd);
        this.handles.delete(fd);
        if (node !== undefined && this.locks.get(node) === fd) this.locks.delete(node);
      },
    };
  }

  /** Fails every operation once halted: the simulated machine has lost power. */
  private check(): void {
    if (this.halted) throw fsError("EIO", "halted (simulated power cut)");
  }

  private mutate(): void {
    this.check();
    this.mutations++;
  }

  private syncCheck(): void {
    this.mutate();
    const code = this.syncFault;
    if (code !== null) {
      this.syncFault = null;
      throw fsError(code, "fsync");
    }
  }

  private lookup(path: string): MemNode | undefined {
    let node: MemNode = this.root;
    for (const part of parts(path)) {
      if (!(node instanceof MemDir)) return undefined;
      const next: MemNode | undefined = node.entries.get(part);
      if (next === undefined) return undefined;
      node = next;
    }
    return node;
  }

  /** The directory holding `path` and its last name; `create` makes missing directories durably. */
  private parent(path: string, create = false): { dir: MemDir; name: string } {
    const names = parts(path);
    const name = names.pop();
    if (name === undefined) throw fsError("EPERM", "open", path);
    let dir = this.root;
    for (const part of names) {
      let next = dir.entries.get(part);
      if (next === undefined && create) {
        // A recursive mkdir: like any new entry, durable once its parent is synced.
        next = new MemDir();
        dir.entries.set(part, next);
      }
      if (!(next instanceof MemDir)) throw fsError("ENOENT", "open", path);
      dir = next;
    }
    return { dir, name };
  }
}

function parts(path: string): string[] {
  return posix
    .resolve("/", path)
    .split("/")
    .filter((p) => p.length > 0);
}
