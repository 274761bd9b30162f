import type { TopicInfo, TopicRegistry } from "../topics.js";

export type AdminResult = { ok: true } | { ok: false; errorCode: number; message: string };

/**
 * What the admin handlers need beyond TopicRegistry: the cluster id and the changes
 * that only DeleteTopics, CreatePartitions and the AlterConfigs APIs make.
 */
export interface TopicAdmin extends TopicRegistry {
  /** config.clusterId, or the id generated at first start and kept in the metadata log. */
  readonly clusterId: string;
  /** Removes the topic from the metadata log, then closes and deletes its partitions. */
  deleteTopic(name: string): Promise<AdminResult>;
  /** Raises the partition count (never lowers it). */
  createPartitions(name: string, count: number, validateOnly: boolean): Promise<AdminResult>;
  /** Replaces the topic's overrides (checked first); open logs get the new settings. */
  setOverrides(
    name: string,
    overrides: ReadonlyMap<string, string>,
    validateOnly: boolean,
  ): Promise<AdminResult>;
}

export function isTopicAdmin(topics: TopicRegistry): topics is TopicAdmin {
  return "deleteTopic" in topics && "setOverrides" in topics && "clusterId" in topics;
}

/** The broker's registry as a TopicAdmin (the metadata registry always is one). */
export function topicAdmin(topics: TopicRegistry): TopicAdmin {
  if (!isTopicAdmin(topics)) throw new Error("the topic registry does not support admin changes");
  return topics;
}

export type { TopicInfo };
