import type { Handler } from "./handler.js";

/**
 * The one table that drives both request routing and the ApiVersions response, so the
 * two can never disagree. Refuses duplicates and ranges the codec cannot parse.
 */
export class HandlerRegistry {
  private readonly byKey = new Map<number, Handler>();

  register(handler: Handler): this {
    const { api, minVersion, maxVersion } = handler;
    if (this.byKey.has(api.apiKey))
      throw new Error(`API ${api.name} (${api.apiKey}) registered twice`);
    if (minVersion < api.minVersion || maxVersion > api.maxVersion || minVersion > maxVersion) {
      throw new Error(
        `${api.name}: versions ${minVersion}-${maxVersion} outside the codec's ${api.minVersion}-${api.maxVersion}`,
      );
    }
    this.byKey.set(api.apiKey, handler);
    return this;
  }

  /**
   * Test hook (fault injection, slow or response-less handlers): puts `handler` in place
   * of whatever serves its key, and returns a function that restores the previous one.
   */
  override(handler: Handler): () => void {
    const key = handler.api.apiKey;
    const previous = this.byKey.get(key);
    this.byKey.set(key, handler);
    return () => {
      if (previous === undefined) this.byKey.delete(key);
      else this.byKey.set(key, previous);
    };
  }

  get(apiKey: number): Handler | undefined {
    return this.byKey.get(apiKey);
  }

  /** Every registered API, in key order: exactly what ApiVersions advertises. */
  list(): Handler[] {
    return [...this.byKey.values()].sort((a, b) => a.api.apiKey - b.api.apiKey);
  }
}
