// Preloaded into every test file's process (scripts/test-runner-flags.mjs). A file whose
// tests have all ended exits even when something it started still holds the event loop:
// a child process's open pipes, say, after a before hook failed between a start and its
// stop. Such a file once held the whole CI run until CI's time limit. Node's own
// --test-force-exit is not used because in the runner's process it exits before the TAP
// file that run-tests.mjs counts has been written out.
import { after } from "node:test";

/** Time for the file's own after hooks (stopping brokers and JVMs) to finish first. */
const GRACE_MS = Number(process.env.TEST_FILE_EXIT_GRACE_MS ?? 60_000);

// Set by node:test in the processes it runs test files in, not in the runner's own.
if (process.env.NODE_TEST_CONTEXT !== undefined) {
  after(() => {
    // Unref'd: a file that ends normally is not kept waiting for it.
    setTimeout(() => {
      process.stderr.write(
        `test file still running ${GRACE_MS / 1000} s after its tests ended (a handle left open); exiting\n`,
      );
      // Children registered with scripts/kill-on-exit.ts are killed on the way out.
      process.exit();
    }, GRACE_MS).unref();
  });
}
