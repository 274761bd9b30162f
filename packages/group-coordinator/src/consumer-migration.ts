import { ErrorCode } from "@logbook/protocol";
import { type CoordinatorConfig, upgradeEnabled } from "./config.js";
import { HeartbeatError } from "./consumer-heartbeat-checks.js";
import type { ClassicGroup } from "./group.js";

/**
 * The live migration between classic and consumer groups (KIP-848), as far as Logbook
 * serves it: an empty classic group becomes a consumer group whatever the policy (its
 * offsets stay); a ConsumerGroupHeartbeat joining a classic group with members goes
 * through Kafka's upgrade checks, in Kafka's order, each answering GROUP_ID_NOT_FOUND.
 *
 * Not served yet: the conversion itself once every check passes (classic members
 * inside a consumer group), which answers GROUP_ID_NOT_FOUND as before.
 */

const PROTOCOL_TYPE = "consumer";

/** The classic group's protocol type: the stored one, or its live members' while it forms. */
function protocolTypeOf(entry: ClassicGroup): string | null {
  return entry.protocolType ?? entry.members.values().next().value?.protocolType ?? null;
}

/** Throws the HeartbeatError a ConsumerGroupHeartbeat joining a live classic group gets. */
export function refuseOnlineUpgrade(entry: ClassicGroup, config: CoordinatorConfig): never {
  const why = (reason: string) =>
    new HeartbeatError(
      ErrorCode.GROUP_ID_NOT_FOUND,
      `Cannot upgrade classic group ${entry.groupId} to consumer group because ${reason}.`,
    );
  if (!upgradeEnabled(config.consumerMigrationPolicy)) throw why("online upgrade is disabled");
  if (protocolTypeOf(entry) !== PROTOCOL_TYPE) {
    throw why("the group does not use the consumer embedded protocol");
  }
  if (entry.members.size > config.consumerMaxGroupSize) {
    throw why("the group size exceeds the consumer group maximum size");
  }
  throw new HeartbeatError(
    ErrorCode.GROUP_ID_NOT_FOUND,
    `Group ${entry.groupId} is not a consumer group.`,
  );
}
