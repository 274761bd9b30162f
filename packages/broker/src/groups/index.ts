export { BrokerGroups, type GroupsAccess } from "./broker-groups.js";
export type { TxnOffsetCommitCheck } from "./txn-offset-check.js";
