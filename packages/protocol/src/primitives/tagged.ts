/** A tagged field this codebase does not know, kept so it survives a decode/encode round trip. */
export interface UnknownTaggedField {
  tag: number;
  data: Buffer;
}
