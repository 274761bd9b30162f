import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { Fs, FsFile } from "./fs.js";

// The lock addon is required (CommonJS) when the first lock is taken rather than imported:
// through Node's ESM loader a CommonJS module is also lexed for its exports, which costs
// `logbook start` a few more milliseconds (docs/performance.md, "Start-up and footprint").
const require = createRequire(import.meta.url);
let nativeExtensions: typeof import("fs-native-extensions") | undefined;
const fsNative = (): typeof import("fs-native-extensions") =>
  (nativeExtensions ??= require("fs-native-extensions") as typeof import("fs-native-extensions"));

/**
 * The real file system (node:fs/promises). Thin on purpose: `open` returns Node's
 * FileHandle itself, so reads and writes on the hot path go straight to it.
 */
export const realFs: Fs = {
  open: (path, flags) => open(path, flags),
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
    const fh = await open(path, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  },
  tryLock: (file: FsFile) => fsNative().tryLock(file.fd),
};
