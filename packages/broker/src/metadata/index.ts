import type { Logger, StorageEngine } from "@logbook/storage";
import type { BrokerConfig } from "../config.js";
import type { TopicRegistry } from "../topics.js";

export async function openTopicRegistry(
  _s: StorageEngine,
  _c: BrokerConfig,
  _l: Logger,
): Promise<TopicRegistry> {
  throw new Error("the topic registry arrives with the metadata work");
}
