export type { ApiCodec, MessageCodec } from "./api-codec.js";
export * from "./compression/index.js";
export * from "./config-source.js";
export * from "./envelope.js";
export * from "./errors.js";
export * from "./framing/index.js";
export * from "./generated/index.js";
export * from "./primitives/index.js";
export * from "./records/index.js";
