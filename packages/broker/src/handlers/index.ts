import type { Handler } from "../handler.js";
import { apiVersionsHandler } from "./18-api-versions.js";
import { adminHandlers } from "./admin-handlers.js";
import { dataHandlers } from "./data-handlers.js";
import { groupHandlers } from "./group-handlers.js";
import { txnHandlers } from "./txn-handlers.js";

/** Every API the broker serves; the registry refuses duplicates. */
export function allHandlers(): Handler[] {
  return [apiVersionsHandler, ...adminHandlers, ...dataHandlers, ...groupHandlers, ...txnHandlers];
}
