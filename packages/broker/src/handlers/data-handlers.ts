import type { Handler } from "../handler.js";

/** Data-plane APIs (produce, fetch, offsets, producer ids). */
export const dataHandlers: Handler[] = [];
