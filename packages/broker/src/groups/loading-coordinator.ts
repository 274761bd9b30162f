import { ErrorCode } from "@logbook/protocol";
import type { Logger } from "@logbook/storage";

/** The coordinator, or the error code a request gets instead of it. */
export type CoordinatorAccess<C> =
  | { ok: true; coordinator: C }
  | { ok: false; errorCode: ErrorCode; message: string };

/**
 * A coordinator that replays its log in the background, so the broker can listen
 * (Metadata, Produce, Fetch) while a large log loads. Until it is ready its requests get
 * COORDINATOR_LOAD_IN_PROGRESS, which every client retries; a failed load is logged and
 * answered COORDINATOR_NOT_AVAILABLE rather than taking the whole broker down.
 */
export class LoadingCoordinator<C extends { close(): Promise<void> }> {
  private loaded: C | null = null;
  private failure: Error | null = null;
  private closed = false;
  /** Resolves once the coordinator is ready; rejects when loading failed. */
  readonly ready: Promise<void>;

  /** `name` names it in logs and answers ("group coordinator"). */
  constructor(
    load: Promise<C>,
    private readonly name: string,
    private readonly logger: Logger,
  ) {
    this.ready = load.then(
      (c) => {
        this.loaded = c;
        logger.info(`${name} ready`);
      },
      (e: unknown) => {
        this.failure = e instanceof Error ? e : new Error(String(e));
        logger.error(`${name} failed to load`, { error: this.failure.message });
        throw this.failure;
      },
    );
    // Callers that never await `ready` must not see an unhandled rejection.
    this.ready.catch(() => {});
  }

  /** True when the coordinator could not be loaded. */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** The coordinator while it is loaded and not stopping, else null. */
  get running(): C | null {
    return this.closed ? null : this.loaded;
  }

  access(): CoordinatorAccess<C> {
    if (this.closed) {
      return { ok: false, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, message: "stopping" };
    }
    if (this.loaded !== null) return { ok: true, coordinator: this.loaded };
    if (this.failure !== null) {
      return {
        ok: false,
        errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
        message: `The ${this.name} failed to load.`,
      };
    }
    return {
      ok: false,
      errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
      message: `The ${this.name} is loading.`,
    };
  }

  /** Stops the coordinator after any load in progress. */
  async close(): Promise<void> {
    this.closed = true;
    try {
      await this.ready;
    } catch {
      return;
    }
    await this.loaded?.close();
    this.logger.debug(`${this.name} closed`);
  }
}
