import type { Logger, StorageEngine } from "@logbook/storage";
import type { BrokerConfig } from "../config.js";
import { openMetadataLog } from "./metadata-log.js";
import { LogTopicRegistry } from "./topic-registry.js";

/**
 * Opens the metadata log, replays it, and returns the topic registry built from it
 * (which keeps the group configs too: both live in the metadata log).
 */
export async function openTopicRegistry(
  storage: StorageEngine,
  config: BrokerConfig,
  logger: Logger,
): Promise<LogTopicRegistry> {
  const metadata = await openMetadataLog(storage);
  const registry = new LogTopicRegistry(storage, config, metadata, logger);
  await registry.load();
  return registry;
}
