/**
 * Node built-ins that only some configurations use (TLS listeners, an https: JWKS),
 * loaded on first use instead of at import: compiling node:tls and node:http costs
 * `logbook start` several milliseconds and pages of the node binary (resident memory)
 * that a plaintext broker never needs (docs/performance.md, "Start-up and footprint").
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

let tls: typeof import("node:tls") | undefined;
let http: typeof import("node:http") | undefined;
let https: typeof import("node:https") | undefined;

export const nodeTls = (): typeof import("node:tls") =>
  (tls ??= require("node:tls") as typeof import("node:tls"));
export const nodeHttp = (): typeof import("node:http") =>
  (http ??= require("node:http") as typeof import("node:http"));
export const nodeHttps = (): typeof import("node:https") =>
  (https ??= require("node:https") as typeof import("node:https"));
