/**
 * Rendezvous (highest-random-weight) hashing: each key goes to the node that scores it
 * highest. When a node leaves, only the keys it held move (each to its own runner-up);
 * when one joins, it takes about 1/n of the keys from the others and nothing else moves.
 * Every broker computes the same owner from the same live set, with no coordination.
 */

/** 32-bit FNV-1a over the key's UTF-16 code units. */
function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The 32-bit finalizer of MurmurHash3: spreads every input bit over the output. */
function mix(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The weight of `nodeId` for a key hashed to `keyHash`. */
function weight(keyHash: number, nodeId: number): number {
  return mix(keyHash ^ mix(Math.imul(nodeId, 0x9e3779b9) + 0x7f4a7c15));
}

/** The owner of `key` among `nodeIds` (ties, vanishingly rare, go to the lower id); -1 when empty. */
export function rendezvousOwner(key: string, nodeIds: readonly number[]): number {
  const keyHash = hashKey(key);
  let owner = -1;
  let best = -1;
  for (const id of nodeIds) {
    const w = weight(keyHash, id);
    if (w > best || (w === best && id < owner)) {
      best = w;
      owner = id;
    }
  }
  return owner;
}
