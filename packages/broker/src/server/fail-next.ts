import type { Logger } from "@logbook/storage";
import type { Handler } from "../handler.js";
import type { HandlerRegistry } from "../registry.js";

/**
 * Test hook, off unless LOGBOOK_FAIL_NEXT is set at start-up (in the style of kfake's
 * ControlKey): `<apiKey>[:count]`, comma-separated, makes the next `count` (default 1)
 * requests of that API throw inside their handler, so end-to-end tests can watch the
 * failure policy (UNKNOWN_SERVER_ERROR, connection kept) with real clients.
 */
export function parseFailNext(text: string | undefined): Map<number, number> {
  const plan = new Map<number, number>();
  if (text === undefined || text.trim() === "") return plan;
  for (const part of text.split(",")) {
    const m = /^\s*(\d+)(?::(\d+))?\s*$/.exec(part);
    if (m === null) throw new Error(`LOGBOOK_FAIL_NEXT: "${part}" is not <apiKey>[:count]`);
    plan.set(Number(m[1]), m[2] === undefined ? 1 : Number(m[2]));
  }
  return plan;
}

/** Wraps each planned API's handler so that its next requests throw. */
export function injectFailures(
  registry: HandlerRegistry,
  plan: ReadonlyMap<number, number>,
  logger: Logger,
): void {
  for (const [apiKey, count] of plan) {
    const real = registry.get(apiKey);
    if (real === undefined) throw new Error(`LOGBOOK_FAIL_NEXT: API key ${apiKey} is not served`);
    logger.warn("test hook: the next requests of an API will fail", { api: real.api.name, count });
    let left = count;
    const failing: Handler = {
      ...real,
      handle(request, ctx) {
        if (left <= 0) return real.handle(request, ctx);
        left--;
        throw new Error(`${real.api.name} failed on purpose (LOGBOOK_FAIL_NEXT)`);
      },
    };
    registry.override(failing);
  }
}
