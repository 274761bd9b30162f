export { DecodeError, EncodeError, type DecodeErrorKind } from "./errors.js";
export { Reader } from "./reader.js";
export { Writer } from "./writer.js";
export * from "./sizes.js";
export type { UnknownTaggedField } from "./tagged.js";
