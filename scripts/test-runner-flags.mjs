// The node:test flags every test file runs under (scripts/run-tests.mjs), apart from the
// reporters. Two guards against a hang, not assertions: a file whose tests have ended
// exits even when a child it started still holds a pipe open (test-file-exit.mjs;
// kill-on-exit.ts kills such children), and a file still running after FILE_TIMEOUT_MS
// fails on its own rather than holding the whole run until CI's limit (the longest file
// takes about two minutes here).
export const FILE_TIMEOUT_MS = 10 * 60_000;

export const TEST_RUNNER_FLAGS = [
  "--conditions=logbook-source",
  "--import",
  "tsx",
  "--import",
  new URL("./test-file-exit.mjs", import.meta.url).pathname,
  "--test",
  `--test-timeout=${FILE_TIMEOUT_MS}`,
];
