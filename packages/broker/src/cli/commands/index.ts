import type { Command } from "commander";
import { aclCommand } from "./acl.js";
import { clusterCommand } from "./cluster.js";
import { completionCommand } from "./completion.js";
import { consoleCommand } from "./console.js";
import { consumeCommand } from "./consume.js";
import { groupCommand } from "./group.js";
import { produceCommand } from "./produce.js";
import { topicCommand } from "./topic.js";
import { userCommand } from "./user.js";

/** The commands that speak the Kafka protocol to any broker (Logbook or Kafka). */
export function addClientCommands(program: Command): void {
  topicCommand(program);
  produceCommand(program);
  consumeCommand(program);
  groupCommand(program);
  clusterCommand(program);
  consoleCommand(program);
  completionCommand(program);
  aclCommand(program);
  userCommand(program);
}
