/** Encoded sizes of the primitive types, used by the generated `size*` functions. */

export function uvarintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  return 5;
}

export function varintSize(n: number): number {
  return uvarintSize(n >= 0 ? n * 2 : -n * 2 - 1);
}

export function uvarlongSize(n: bigint): number {
  let size = 1;
  let v = n;
  while (v >= 0x80n) {
    v >>= 7n;
    size++;
  }
  return size;
}

export function varlongSize(n: bigint): number {
  return uvarlongSize(n >= 0n ? n << 1n : (-n << 1n) - 1n);
}

/** Bytes taken by a length prefix of `len` (-1 = null) in the classic or compact form. */
export function lengthPrefixSize(len: number, flexible: boolean, wide: boolean): number {
  if (flexible) return uvarintSize(len + 1);
  return wide ? 4 : 2;
}

export function stringSize(s: string | null, flexible: boolean): number {
  if (s === null) return lengthPrefixSize(-1, flexible, false);
  const n = Buffer.byteLength(s, "utf8");
  return lengthPrefixSize(n, flexible, false) + n;
}

export function bytesSize(b: Uint8Array | null, flexible: boolean): number {
  if (b === null) return lengthPrefixSize(-1, flexible, true);
  return lengthPrefixSize(b.length, flexible, true) + b.length;
}

export function arrayPrefixSize(count: number, flexible: boolean): number {
  return lengthPrefixSize(count, flexible, true);
}
