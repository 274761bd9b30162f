import { ErrorCode } from "@logbook/protocol";
import { findSetting } from "../config/schema.js";
import type { BrokerConfig } from "../config.js";
import type { BrokerServices } from "../services.js";
import type { TopicInfo } from "../topics.js";
import { ResourceType } from "./metadata-records.js";

/** What a config resource of a DescribeConfigs/AlterConfigs request refers to. */
export type ConfigResource =
  | { kind: "topic"; topic: TopicInfo }
  | { kind: "broker" }
  | { kind: "group"; groupId: string }
  | { kind: "error"; errorCode: number; message: string };

export function resolveConfigResource(
  broker: BrokerServices,
  type: number,
  name: string,
  purpose: "describe" | "alter",
): ConfigResource {
  if (type === ResourceType.TOPIC) {
    const topic = broker.topics.get(name);
    return topic === undefined
      ? {
          kind: "error",
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          message: `Topic '${name}' does not exist.`,
        }
      : { kind: "topic", topic };
  }
  if (type === ResourceType.BROKER) {
    // "" is the cluster-wide default resource; with one broker it is the same set.
    if (name === "" || name === String(broker.config.nodeId)) return { kind: "broker" };
    return {
      kind: "error",
      errorCode: ErrorCode.INVALID_REQUEST,
      message: `Unexpected broker id, expected ${broker.config.nodeId} but received ${name}`,
    };
  }
  if (type === ResourceType.GROUP) {
    // Any other name is fine: a group need not exist to be configured (as in Kafka).
    if (name !== "") return { kind: "group", groupId: name };
    return {
      kind: "error",
      errorCode: ErrorCode.INVALID_REQUEST,
      message:
        purpose === "describe"
          ? "Group name must not be empty"
          : "Default group resources are not allowed.",
    };
  }
  return {
    kind: "error",
    errorCode: ErrorCode.INVALID_REQUEST,
    message: `Unsupported resource type ${type}`,
  };
}

/** The broker config with the addresses actually in use (the port may have been 0). */
export function liveBrokerConfig(broker: BrokerServices): BrokerConfig {
  const adv = broker.advertised;
  return {
    ...broker.config,
    port: broker.address.port,
    advertisedHost: adv.host,
    advertisedPort: adv.port,
  };
}

/** Every broker property is static: a change to one is refused, naming them. */
export function refuseBrokerChanges(
  names: readonly string[],
): { ok: true } | { ok: false; errorCode: number; message: string } {
  if (names.length === 0) return { ok: true };
  const unknown = names.filter((n) => findSetting(n) === undefined);
  if (unknown.length > 0) {
    return {
      ok: false,
      errorCode: ErrorCode.INVALID_CONFIG,
      message: `Unknown broker configs: ${unknown.join(", ")}`,
    };
  }
  return {
    ok: false,
    errorCode: ErrorCode.INVALID_REQUEST,
    message: `Cannot update these configs dynamically: ${names.join(", ")}`,
  };
}

/** Resources named twice in one request get INVALID_REQUEST (Kafka does the same). */
export function duplicateResources(
  resources: readonly { resourceType: number; resourceName: string }[],
): Set<string> {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const r of resources) {
    const k = resourceKey(r.resourceType, r.resourceName);
    if (seen.has(k)) dup.add(k);
    seen.add(k);
  }
  return dup;
}

export function resourceKey(type: number, name: string): string {
  return `${type}:${name}`;
}
