/**
 * The storage behind a log could not be reached or failed (a database down or
 * restarting): a request may well succeed later. The broker answers it as Kafka answers
 * a log directory's I/O failure, KAFKA_STORAGE_ERROR, which clients retry; a bug in
 * the broker stays UNKNOWN_SERVER_ERROR.
 */
export class StorageUnavailableError extends Error {
  override readonly name = "StorageUnavailableError";
}

/** Runs `work`; any failure becomes a StorageUnavailableError saying what could not be done. */
export async function orUnavailable<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof StorageUnavailableError) throw e;
    const detail = e instanceof Error ? e.message : String(e);
    throw new StorageUnavailableError(`${what}: ${detail}`, { cause: e });
  }
}
