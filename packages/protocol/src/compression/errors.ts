import { DecodeError } from "../primitives/errors.js";

/** Corrupt compressed data: a DecodeError so callers handle it like any bad wire input. */
export function corrupt(codec: string, detail: string, position = 0): DecodeError {
  return new DecodeError("invalid-value", `${codec}: ${detail}`, position);
}

/** Output would pass the caller's limit (a decompression bomb or a misconfigured cap). */
export function tooLarge(codec: string, limit: number): DecodeError {
  return new DecodeError(
    "length-exceeds-input",
    `${codec}: decompressed size exceeds the limit of ${limit} bytes`,
    0,
  );
}
