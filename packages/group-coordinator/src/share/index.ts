export type * from "./share-api.js";
export { DEFAULT_SHARE_GROUP_CONFIG, type ShareGroupConfig } from "./share-config.js";
export { ShareGroupCoordinator, type ShareGroupCoordinatorOptions } from "./share-coordinator.js";
export type { AssignedTopic, ShareGroupState } from "./share-group.js";
export { isShareGroupKey } from "./share-records.js";
export { assignShareGroup, type ShareTopic, SIMPLE_ASSIGNOR_NAME } from "./simple-assignor.js";
