/** Topic configs come from the config schema (config/schema.ts); this is their lookup here. */
export { TOPIC_CONFIG_DEFS, topicConfigDef } from "../config/schema.js";
export type { TopicConfigDef } from "../config/setting.js";
