import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { diskEngineFactory } from "./disk/disk-engine.js";
import type { EngineFactory, EngineOptions, StorageEngine } from "./engine.js";
import { realClock } from "./env/clock.js";
import { realFs } from "./env/real-fs.js";
import { memoryEngineFactory } from "./memory/index.js";

/**
 * The PostgreSQL engine and its driver are loaded only when a URL names it: a broker on
 * the disk engine should not pay for them at start-up.
 */
const postgresEngineFactory: EngineFactory = async (url, options) =>
  (await import("./postgres/pg-engine.js")).postgresEngineFactory(url, options);

/** Engines by URL scheme. Add a new engine here and run the conformance suite on it. */
export const ENGINES: Readonly<Record<string, EngineFactory>> = Object.freeze({
  "file:": diskEngineFactory,
  "memory:": memoryEngineFactory,
  "postgres:": postgresEngineFactory,
  "postgresql:": postgresEngineFactory,
});

/**
 * Opens the engine a setting names: a URL (`file:///var/lib/logbook`, `memory:`) or a
 * plain path, which means the disk engine (the default everywhere a user runs the broker).
 * This is where the real file system and clock are chosen unless the caller injects others.
 */
export function openStorageEngine(
  location: string,
  options: EngineOptions = {},
): Promise<StorageEngine> {
  const url = /^[a-z][a-z0-9+.-]*:/i.test(location)
    ? new URL(location)
    : pathToFileURL(resolve(location));
  const factory = ENGINES[url.protocol];
  if (factory === undefined) {
    return Promise.reject(
      new Error(
        `no storage engine for "${url.protocol}" (known: ${Object.keys(ENGINES).join(", ")})`,
      ),
    );
  }
  return factory(url, {
    ...options,
    fs: options.fs ?? realFs,
    clock: options.clock ?? realClock(),
  });
}
