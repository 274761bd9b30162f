/**
 * How the launcher (bundle/logbook.js) tells the CLI it runs about V8's code cache: the
 * bundle is compiled by the launcher, so the two meet on a global symbol rather than an
 * import. Absent when the CLI runs unbundled (dist/cli.js, the tests' in-process brokers).
 */
const HOOK = Symbol.for("logbook.codeCache");

/**
 * What the launcher found: `used` (the bundle was deserialized from the cache), `rejected`
 * (a cache was there but V8 refused it: another Node or V8 flags), `none` (no cache yet)
 * or `off` (NODE_DISABLE_COMPILE_CACHE, or no usable cache directory).
 */
export type CodeCacheState = "used" | "rejected" | "none" | "off";

export interface CodeCacheHook {
  readonly state: CodeCacheState;
  /**
   * Writes the cache from what has been compiled so far, unless the one used still
   * serves. Synchronous; returns why it could not write, if it could not.
   */
  flush(): Error | undefined;
}

export function installCodeCacheHook(hook: CodeCacheHook): void {
  Reflect.set(globalThis, HOOK, hook);
}

export function codeCacheHook(): CodeCacheHook | undefined {
  const hook: unknown = Reflect.get(globalThis, HOOK);
  return typeof hook === "object" && hook !== null && "flush" in hook
    ? (hook as CodeCacheHook)
    : undefined;
}
