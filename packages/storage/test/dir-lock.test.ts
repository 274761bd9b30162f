/**
 * The data-directory lock as storage takes it: loaded the fast way (the prebuild itself
 * rather than the package's resolver chain, which cost start-up) and still exclusive.
 * Two broker processes on one directory, and a SIGKILLed holder, are covered end to end
 * by integration-tests/data-dir-lock.test.ts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { DataDirLock, DataDirLockedError } from "../src/disk/dir-lock.js";
import { realClock } from "../src/env/clock.js";
import { lockAddonSource, realFs } from "../src/env/real-fs.js";
import { makeTempDir } from "./helpers/temp-dir.js";

const dir = await makeTempDir("logbook-dir-lock-");
after(() => dir.cleanup());

test("the lock addon is loaded from its prebuild where the package ships one", () => {
  const shipped = ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "win32-x64"];
  const here = `${process.platform}-${process.arch}`;
  // CI runs on linux-x64, so there this pins the fast path; elsewhere either is correct.
  if (shipped.includes(here)) assert.equal(lockAddonSource(), "prebuild");
  else assert.ok(["prebuild", "package"].includes(lockAddonSource()));
});

test("a second lock on one data directory is refused until the first is released", async () => {
  const path = join(dir.path, "same-process");
  await realFs.mkdir(path, { recursive: true });
  const first = await DataDirLock.acquire(realFs, realClock(), path);
  await assert.rejects(DataDirLock.acquire(realFs, realClock(), path), (e: unknown) => {
    assert.ok(e instanceof DataDirLockedError);
    assert.match(e.message, new RegExp(`in use by another Logbook process \\(pid ${process.pid} `));
    return true;
  });
  await first.release();
  const again = await DataDirLock.acquire(realFs, realClock(), path);
  await again.release();
});
