// Test-only fault injection for a broker child process, loaded with
// NODE_OPTIONS="--import <this file>" (see resource-faults.test.ts). SIGUSR2 toggles a
// fault: while it is on, every file-system call that would write (FileHandle writes,
// truncate; open for writing, mkdir, rename, rm, writeFile) fails with the errno
// named by FS_FAULT_CODE (EROFS or ENOSPC), as a read-only remount or a full disk
// would make it; reads keep working. Each toggle prints "fs-fault: on" / "fs-fault: off"
// on stderr so the test knows when it took effect. Plain JavaScript: the broker runs
// from dist/ without tsx.
import { createRequire, syncBuiltinESMExports } from "node:module";

const require = createRequire(import.meta.url);
const fsp = require("node:fs/promises");
const code = process.env.FS_FAULT_CODE === "ENOSPC" ? "ENOSPC" : "EROFS";
const errno = code === "ENOSPC" ? -28 : -30;
const text = code === "ENOSPC" ? "no space left on device" : "read-only file system";
let faulty = false;

function fault(syscall) {
  return Object.assign(new Error(`${code}: ${text}, ${syscall} (injected)`), {
    code,
    errno,
    syscall,
  });
}

function guard(target, name, applies = () => true) {
  const original = target[name];
  target[name] = function guarded(...args) {
    if (faulty && applies(...args)) return Promise.reject(fault(name));
    return original.apply(this, args);
  };
}

const writesFlags = (flags) => typeof flags === "string" && /[wa+]/.test(flags);
guard(fsp, "open", (_path, flags) => writesFlags(flags));
for (const name of ["mkdir", "rename", "rm", "unlink", "writeFile", "appendFile", "truncate"])
  guard(fsp, name);
syncBuiltinESMExports();

const probe = await fsp.open(process.execPath, "r");
const fileHandle = Object.getPrototypeOf(probe);
await probe.close();
// fsync is left alone: a failed fsync is a different fault (the log goes offline for it).
for (const name of ["write", "writev", "writeFile", "appendFile", "truncate"])
  guard(fileHandle, name);

process.on("SIGUSR2", () => {
  faulty = !faulty;
  process.stderr.write(`fs-fault: ${faulty ? "on" : "off"}\n`);
});
