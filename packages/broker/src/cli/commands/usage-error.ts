/** A command line a client command cannot act on: printed, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
