import { uvarintSize } from "./sizes.js";
import type { Writer } from "./writer.js";

/** A tagged field this codebase does not know, kept so it survives a decode/encode round trip. */
export interface UnknownTaggedField {
  tag: number;
  data: Buffer;
}

/** Writes the unknown tagged fields whose tag lies in [from, to), keeping ascending order. */
export function writeUnknownTags(
  w: Writer,
  unknown: readonly UnknownTaggedField[] | undefined,
  from: number,
  to: number,
): void {
  if (unknown === undefined) return;
  for (const f of unknown) {
    if (f.tag < from || f.tag >= to) continue;
    w.uvarint(f.tag);
    w.uvarint(f.data.length);
    w.raw(f.data);
  }
}

export function unknownTagsSize(unknown: readonly UnknownTaggedField[] | undefined): number {
  if (unknown === undefined) return 0;
  let s = 0;
  for (const f of unknown) s += uvarintSize(f.tag) + uvarintSize(f.data.length) + f.data.length;
  return s;
}

export function isZeroUuid(u: Uint8Array): boolean {
  for (let i = 0; i < u.length; i++) if (u[i] !== 0) return false;
  return true;
}
