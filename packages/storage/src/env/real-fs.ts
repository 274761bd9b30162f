import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { tryLock } from "fs-native-extensions";
import type { Fs, FsFile } from "./fs.js";

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
  tryLock: (file: FsFile) => tryLock(file.fd),
};
