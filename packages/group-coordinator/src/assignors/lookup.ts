import type { ServerAssignor } from "./assignor.js";
import { interimAssignor } from "./interim.js";

/** The server-side assignors this broker knows, by the name clients ask for. */
const KNOWN = new Map<string, ServerAssignor>(
  ["uniform", "range"].map((name) => [name, interimAssignor(name)]),
);

/** The one place the coordinator finds a server-side assignor by name. */
export function serverAssignor(name: string): ServerAssignor | undefined {
  return KNOWN.get(name);
}
