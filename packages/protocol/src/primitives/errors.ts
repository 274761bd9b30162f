/** Why a decode failed; stable strings so callers and tests can branch on them. */
export type DecodeErrorKind =
  | "truncated"
  | "negative-length"
  | "length-exceeds-input"
  | "count-exceeds-input"
  | "bad-varint"
  | "bad-tagged-fields"
  | "trailing-bytes"
  | "invalid-value";

/** Thrown by Reader and the generated decoders for any input that is not valid wire data. */
export class DecodeError extends Error {
  override readonly name = "DecodeError";
  constructor(
    readonly kind: DecodeErrorKind,
    message: string,
    readonly position: number,
  ) {
    super(`${message} (at byte ${position})`);
  }
}

/** Thrown when a message cannot be written in the requested version (a programming error). */
export class EncodeError extends Error {
  override readonly name = "EncodeError";
}
