import type { Handler } from "../handler.js";
import { offsetCommitHandler } from "./08-offset-commit.js";
import { offsetFetchHandler } from "./09-offset-fetch.js";
import { findCoordinatorHandler } from "./10-find-coordinator.js";
import { joinGroupHandler } from "./11-join-group.js";
import { heartbeatHandler } from "./12-heartbeat.js";
import { leaveGroupHandler } from "./13-leave-group.js";
import { syncGroupHandler } from "./14-sync-group.js";
import { describeGroupsHandler } from "./15-describe-groups.js";
import { listGroupsHandler } from "./16-list-groups.js";
import { txnOffsetCommitHandler } from "./28-txn-offset-commit.js";
import { deleteGroupsHandler } from "./42-delete-groups.js";
import { offsetDeleteHandler } from "./47-offset-delete.js";

/**
 * Consumer-group APIs (coordinator lookup, membership, committed offsets, group admin),
 * and TxnOffsetCommit: its offsets live in the group coordinator.
 */
export const groupHandlers: Handler[] = [
  offsetCommitHandler,
  offsetFetchHandler,
  findCoordinatorHandler,
  joinGroupHandler,
  heartbeatHandler,
  leaveGroupHandler,
  syncGroupHandler,
  describeGroupsHandler,
  listGroupsHandler,
  txnOffsetCommitHandler,
  deleteGroupsHandler,
  offsetDeleteHandler,
];
