/**
 * The launcher's code cache on disk: one file per bundle build, Node version, architecture
 * and set of Node options (V8 refuses a cache made under other flags, so starts with and
 * without, say, --max-old-space-size would otherwise replace each other's), in
 * NODE_COMPILE_CACHE or os.tmpdir()/node-compile-cache (where Node 22's own compile cache
 * goes).
 *
 * V8 runs what it deserializes and checks little of it (a damaged payload of the right
 * length crashes the process), so a file is used only when
 *  - it is a regular file (not a link) owned by this user and writable by no one else,
 *  - its SHA-256 matches the payload (a torn or damaged write is refused), and
 *  - it was made for this very file of the bundle (size and mtime), so that a bundle
 *    changed in place is never run with the code of another.
 * It is written to a private temp file and renamed into place, so that brokers starting
 * side by side never read one half written. Caches of other builds or Nodes not written
 * for a week are removed when a new one is written.
 *
 * Layout: SHA-256 of the rest (32 bytes), the bundle's size and mtime in ms (two float64
 * LE), then V8's cached data.
 */
import { createHash } from "node:crypto";
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const HASH_BYTES = 32;
const HEADER_BYTES = HASH_BYTES + 16;
const PRUNE_AFTER_MS = 7 * 24 * 3600 * 1000;

/** The bundle file the cache belongs to. */
export interface BundleIdentity {
  /** SHA-256 of the bundle, hex (its first line). */
  readonly digest: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface CodeCacheFile {
  readonly path: string;
  /** The cached data, or undefined when there is none this process may trust. */
  read(): Buffer | undefined;
  write(data: Buffer): void;
}

/** Undefined when the cache is turned off (NODE_DISABLE_COMPILE_CACHE). */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const off = env.NODE_DISABLE_COMPILE_CACHE;
  if (off !== undefined && off !== "" && off !== "0") return undefined;
  const dir = env.NODE_COMPILE_CACHE;
  return dir !== undefined && dir !== "" ? dir : join(tmpdir(), "node-compile-cache");
}

const sha256 = (b: Buffer): Buffer => createHash("sha256").update(b).digest();

/** Node version, architecture and options: what V8 compares besides the source. */
function runtimeKey(): string {
  const options = JSON.stringify([process.execArgv, process.env.NODE_OPTIONS ?? ""]);
  const flags = createHash("sha256").update(options).digest("hex").slice(0, 12);
  return `${process.version}-${process.arch}-${flags}`;
}

export function codeCacheFile(dir: string, bundle: BundleIdentity): CodeCacheFile {
  const suffix = `-${runtimeKey()}.v8`;
  const path = join(dir, `logbook-${bundle.digest}${suffix}`);
  const uid = process.getuid?.();
  return {
    path,
    read() {
      let fd: number;
      try {
        fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      } catch {
        return undefined;
      }
      try {
        const st = fstatSync(fd);
        if (!st.isFile() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0)
          return undefined;
        const file = readFileSync(fd);
        if (file.length <= HEADER_BYTES) return undefined;
        const rest = file.subarray(HASH_BYTES);
        if (!sha256(rest).equals(file.subarray(0, HASH_BYTES))) return undefined;
        if (rest.readDoubleLE(0) !== bundle.size || rest.readDoubleLE(8) !== bundle.mtimeMs)
          return undefined;
        return file.subarray(HEADER_BYTES);
      } catch {
        return undefined;
      } finally {
        closeSync(fd);
      }
    },
    write(data) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const identity = Buffer.alloc(16);
      identity.writeDoubleLE(bundle.size, 0);
      identity.writeDoubleLE(bundle.mtimeMs, 8);
      const rest = Buffer.concat([identity, data]);
      const temp = `${path}.${process.pid}.tmp`;
      try {
        // "wx" never follows a link planted at the temp name; one left by a crashed
        // process of the same pid is removed first.
        rmSync(temp, { force: true });
        writeFileSync(temp, Buffer.concat([sha256(rest), rest]), { mode: 0o600, flag: "wx" });
        renameSync(temp, path);
      } catch (e) {
        rmSync(temp, { force: true });
        throw e;
      }
      pruneStale(dir, path);
    },
  };
}

/**
 * Best effort: a cache of another build or Node that nobody has rewritten for a week, or
 * the temp file of a write that was killed.
 */
function pruneStale(dir: string, keep: string): void {
  try {
    const now = Date.now();
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const ours = name.startsWith("logbook-") && (name.endsWith(".v8") || name.endsWith(".tmp"));
      if (!ours || path === keep) continue;
      if (now - statSync(path).mtimeMs > PRUNE_AFTER_MS) rmSync(path, { force: true });
    }
  } catch {
    // Pruning is housekeeping; the cache just written is what matters.
  }
}
