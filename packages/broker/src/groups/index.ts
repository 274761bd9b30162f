export { BrokerGroups, type GroupsAccess } from "./broker-groups.js";
