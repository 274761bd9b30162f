/** Broker-wide rules for topics and produced records (top-level BrokerConfig fields). */
import { bool, int, long, NEVER } from "./kinds.js";
import { type SectionValues, setting } from "./setting.js";

export const TOPIC_POLICY_SETTINGS = {
  autoCreateTopicsEnable: setting({
    name: "auto.create.topics.enable",
    kind: bool(),
    default: true,
    importance: "high",
    doc: "Create a topic when Metadata asks for an unknown one.",
  }),
  numPartitions: setting({
    name: "num.partitions",
    kind: int(1, 100_000),
    default: 1,
    importance: "medium",
    doc: "Partitions of an auto-created topic, and of CreateTopics with -1.",
  }),
  deleteTopicEnable: setting({
    name: "delete.topic.enable",
    kind: bool(),
    default: true,
    importance: "high",
    doc: "Allow DeleteTopics.",
  }),
  messageMaxBytes: setting({
    name: "message.max.bytes",
    kind: int(0),
    default: 1048588,
    importance: "high",
    doc: "Largest record batch accepted (per topic: max.message.bytes).",
    topic: {
      name: "max.message.bytes",
      doc: "Largest record batch (after compression) the topic accepts.",
    },
  }),
  messageTimestampBeforeMaxMs: setting({
    name: "log.message.timestamp.before.max.ms",
    kind: long(0),
    default: NEVER,
    importance: "medium",
    doc: "Refuse CreateTime records older than this (INVALID_TIMESTAMP).",
    topic: {
      name: "message.timestamp.before.max.ms",
      doc: "How far in the past a CreateTime timestamp may be, relative to the broker clock.",
    },
  }),
  messageTimestampAfterMaxMs: setting({
    name: "log.message.timestamp.after.max.ms",
    kind: long(0),
    // Kafka 4.0's default (KIP-937): producers' clocks may run an hour ahead, no more.
    default: 60 * 60 * 1000,
    importance: "medium",
    doc: "Refuse CreateTime records further in the future than this (INVALID_TIMESTAMP).",
    topic: {
      name: "message.timestamp.after.max.ms",
      doc: "How far in the future a CreateTime timestamp may be, relative to the broker clock.",
    },
  }),
};

export type TopicPolicyConfig = SectionValues<typeof TOPIC_POLICY_SETTINGS>;
