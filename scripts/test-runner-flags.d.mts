/** How long one test file may run before it fails as hung. */
export const FILE_TIMEOUT_MS: number;
/** The node:test flags every test file runs under, apart from the reporters. */
export const TEST_RUNNER_FLAGS: readonly string[];
