import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { FdFile } from "./fd-file.js";
import type { Fs, FsFile } from "./fs.js";

// The lock addon is required (CommonJS) when the first lock is taken rather than imported:
// through Node's ESM loader a CommonJS module is also lexed for its exports, which costs
// `logbook start` a few more milliseconds (docs/performance.md, "Start-up and footprint").
const require = createRequire(import.meta.url);

/** The version whose prebuild layout and binding signature {@link loadPrebuild} knows. */
const KNOWN_VERSION = "1.5.1";

type TryLock = (fd: number) => boolean;

/**
 * The package's own loader (require-addon) finds the prebuild through three resolver
 * packages, about 12 ms of a 150 ms start-up; for the pinned version the prebuild sits at
 * prebuilds/<platform>-<arch>/, so it is loaded from there. Any other version, platform
 * or layout goes through the package as before.
 */
function loadPrebuild(): TryLock | undefined {
  try {
    const pkgJson = require.resolve("fs-native-extensions/package.json");
    const { version } = require(pkgJson) as { version?: unknown };
    if (version !== KNOWN_VERSION) return undefined;
    const file = join(
      dirname(pkgJson),
      "prebuilds",
      `${process.platform}-${process.arch}`,
      "fs-native-extensions.node",
    );
    const binding = require(file) as {
      tryLock(fd: number, offset: number, length: number, exclusive: boolean): void;
    };
    return (fd) => {
      try {
        // offset 0, length 0: the whole file; exclusive.
        binding.tryLock(fd, 0, 0, true);
        return true;
      } catch (e) {
        if ((e as { code?: unknown }).code === "EAGAIN") return false;
        throw e;
      }
    };
  } catch {
    return undefined;
  }
}

let lockAddon: { tryLock: TryLock; from: "prebuild" | "package" } | undefined;
function loadLockAddon(): { tryLock: TryLock; from: "prebuild" | "package" } {
  if (lockAddon === undefined) {
    const direct = loadPrebuild();
    lockAddon =
      direct !== undefined
        ? { tryLock: direct, from: "prebuild" }
        : {
            tryLock: (fd) =>
              (require("fs-native-extensions") as typeof import("fs-native-extensions")).tryLock(
                fd,
              ),
            from: "package",
          };
  }
  return lockAddon;
}

/** How the lock addon is loaded here, for the test that keeps start-up on the fast path. */
export function lockAddonSource(): "prebuild" | "package" {
  return loadLockAddon().from;
}

/**
 * The real file system. Thin on purpose: an open file is a descriptor whose reads and
 * writes go straight to node:fs's callback functions (fd-file.ts says why not a
 * FileHandle).
 */
export const realFs: Fs = {
  open: (path, flags) => FdFile.open(path, flags),
  readFile: (path) => readFile(path),
  writeFile: (path, data, options) => writeFile(path, data, { flush: options?.flush === true }),
  rename,
  rm,
  readdir: (path) => readdir(path),
  stat,
  async mkdir(path, options) {
    await mkdir(path, options);
  },
  async syncDir(path) {
    const fh = await FdFile.open(path, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  },
  tryLock: (file: FsFile) => loadLockAddon().tryLock(file.fd),
};
