export { DecodeError, type DecodeErrorKind, EncodeError } from "./errors.js";
export { Reader } from "./reader.js";
export * from "./sizes.js";
export {
  isZeroUuid,
  type UnknownTaggedField,
  unknownTagsSize,
  writeUnknownTags,
} from "./tagged.js";
export { Writer } from "./writer.js";
