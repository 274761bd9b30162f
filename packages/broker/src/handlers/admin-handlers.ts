import type { Handler } from "../handler.js";

/** Metadata and admin APIs (topics, configs, cluster). */
export const adminHandlers: Handler[] = [];
