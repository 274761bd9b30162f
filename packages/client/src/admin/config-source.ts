/** DescribeConfigs/IncrementalAlterConfigs resource types. */
export const ConfigResourceType = { TOPIC: 2, BROKER: 4, GROUP: 32 } as const;

/** IncrementalAlterConfigs operations. */
export const ConfigOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;
