/**
 * Where an offset lives among segments (or anything else) sorted by base offset: the
 * index of the last one whose base offset is <= `offset`, or 0 when the offset lies
 * before them all. A binary search, so a lookup costs O(log segments) in every engine.
 */
export function floorIndex(
  items: readonly { readonly baseOffset: number }[],
  offset: number,
): number {
  let lo = 0;
  let hi = items.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if ((items[mid] as { baseOffset: number }).baseOffset <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
