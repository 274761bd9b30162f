import {
  decodeShareGroupMemberAssignmentValue,
  decodeShareGroupMemberKey,
  decodeShareGroupMemberValue,
  decodeShareGroupMetadataKey,
  decodeShareGroupMetadataValue,
  encodeShareGroupMemberAssignmentValue,
  encodeShareGroupMemberKey,
  encodeShareGroupMemberValue,
  encodeShareGroupMetadataKey,
  encodeShareGroupMetadataValue,
  Reader,
  type ShareGroupMemberAssignmentValue,
  type ShareGroupMemberValue,
  type ShareGroupMetadataValue,
  sizeShareGroupMemberAssignmentValue,
  sizeShareGroupMemberKey,
  sizeShareGroupMemberValue,
  sizeShareGroupMetadataKey,
  sizeShareGroupMetadataValue,
} from "@logbook/protocol";
import type { LogRecord } from "../record-log.js";
import { prefixed } from "../records.js";

/**
 * The share-group records of `__consumer_offsets` (formats in
 * protocol-specs/data/internal-records.lbs). The INT16 in front of a key is Kafka's
 * number for the kind; values are INT16 0 + the struct, null a tombstone.
 *
 * Kafka numbers share-group kinds 9-15 (9 was retired before 4.0; 12, 13 hold a target
 * assignment apart from the member's current one and 15 the share-partition
 * initialisation). Here a member always takes its target assignment at once (share
 * groups revoke nothing), so the current assignment (14) is the target and 12/13 are
 * not written; every kind in the range still belongs to share groups.
 */
export const SHARE_MEMBER_KIND = 10;
export const SHARE_GROUP_KIND = 11;
export const SHARE_ASSIGNMENT_KIND = 14;
const FIRST_SHARE_KIND = 9;
const LAST_SHARE_KIND = 15;
const SCHEMA = 0;

export type ShareRecord =
  | { kind: "share-group"; group: string; value: ShareGroupMetadataValue | null }
  | { kind: "share-member"; group: string; memberId: string; value: ShareGroupMemberValue | null }
  | {
      kind: "share-assignment";
      group: string;
      memberId: string;
      value: ShareGroupMemberAssignmentValue | null;
    };

/** Whether an encoded `__consumer_offsets` key is a share-group record (kinds 9-15). */
export function isShareGroupKey(key: Buffer): boolean {
  if (key.length < 2) return false;
  const kind = key.readInt16BE(0);
  return kind >= FIRST_SHARE_KIND && kind <= LAST_SHARE_KIND;
}

export function encodeShareRecord(r: ShareRecord): LogRecord {
  if (r.kind === "share-group") {
    const k = { group: r.group };
    const v = r.value;
    return {
      key: prefixed(SHARE_GROUP_KIND, sizeShareGroupMetadataKey(k, SCHEMA), (w) =>
        encodeShareGroupMetadataKey(w, k, SCHEMA),
      ),
      value:
        v === null
          ? null
          : prefixed(SCHEMA, sizeShareGroupMetadataValue(v, SCHEMA), (w) =>
              encodeShareGroupMetadataValue(w, v, SCHEMA),
            ),
    };
  }
  const k = { group: r.group, memberId: r.memberId };
  const kind = r.kind === "share-member" ? SHARE_MEMBER_KIND : SHARE_ASSIGNMENT_KIND;
  const key = prefixed(kind, sizeShareGroupMemberKey(k, SCHEMA), (w) =>
    encodeShareGroupMemberKey(w, k, SCHEMA),
  );
  if (r.value === null) return { key, value: null };
  if (r.kind === "share-member") {
    const v = r.value;
    return {
      key,
      value: prefixed(SCHEMA, sizeShareGroupMemberValue(v, SCHEMA), (w) =>
        encodeShareGroupMemberValue(w, v, SCHEMA),
      ),
    };
  }
  const v = r.value;
  return {
    key,
    value: prefixed(SCHEMA, sizeShareGroupMemberAssignmentValue(v, SCHEMA), (w) =>
      encodeShareGroupMemberAssignmentValue(w, v, SCHEMA),
    ),
  };
}

/** Undefined for other kinds, kinds 12, 13, 15, and value versions this broker does not know. */
export function decodeShareRecord(rec: LogRecord): ShareRecord | undefined {
  const kr = new Reader(rec.key);
  const kind = kr.int16();
  if (kind !== SHARE_GROUP_KIND && kind !== SHARE_MEMBER_KIND && kind !== SHARE_ASSIGNMENT_KIND) {
    return undefined;
  }
  let vr: Reader | null = null;
  if (rec.value !== null) {
    vr = new Reader(rec.value);
    if (vr.int16() !== SCHEMA) return undefined;
  }
  if (kind === SHARE_GROUP_KIND) {
    const { group } = decodeShareGroupMetadataKey(kr, SCHEMA);
    return {
      kind: "share-group",
      group,
      value: vr === null ? null : decodeShareGroupMetadataValue(vr, SCHEMA),
    };
  }
  const { group, memberId } = decodeShareGroupMemberKey(kr, SCHEMA);
  if (kind === SHARE_MEMBER_KIND) {
    return {
      kind: "share-member",
      group,
      memberId,
      value: vr === null ? null : decodeShareGroupMemberValue(vr, SCHEMA),
    };
  }
  return {
    kind: "share-assignment",
    group,
    memberId,
    value: vr === null ? null : decodeShareGroupMemberAssignmentValue(vr, SCHEMA),
  };
}
