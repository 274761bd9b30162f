import {
  createShareStateKey,
  createShareStateValue,
  createShareStateValueStateBatch,
  decodeShareStateKey,
  decodeShareStateValue,
  encodeShareStateKey,
  encodeShareStateValue,
  Reader,
  sizeShareStateKey,
  sizeShareStateValue,
  Writer,
} from "@logbook/protocol";
import type { KeyValueRecord } from "@logbook/storage";
import { RecordState } from "./in-flight.js";
import type { SharePartitionSnapshot } from "./share-partition.js";

/** Names one share-partition: a share group's view of one topic-partition. */
export interface SharePartitionKey {
  readonly groupId: string;
  readonly topicId: Buffer;
  readonly partition: number;
}

/** One record of `__share_group_state`: the latest state, or null (forgotten). */
export interface ShareStateRecord {
  readonly key: SharePartitionKey;
  readonly snapshot: SharePartitionSnapshot | null;
}

const VERSION = 0;
const STATES: ReadonlySet<number> = new Set(Object.values(RecordState));

/** A map key for a share-partition (group ids may hold any character, so length-prefixed). */
export function sharePartitionId(k: SharePartitionKey): string {
  return `${k.groupId.length}:${k.groupId}:${k.topicId.toString("hex")}:${k.partition}`;
}

function versioned(size: number, write: (w: Writer) => void): Buffer {
  const w = Writer.alloc(2 + size);
  w.int16(VERSION);
  write(w);
  return w.result();
}

export function encodeShareStateRecord(r: ShareStateRecord): KeyValueRecord {
  const k = createShareStateKey({ ...r.key });
  const key = versioned(sizeShareStateKey(k, VERSION), (w) => encodeShareStateKey(w, k, VERSION));
  if (r.snapshot === null) return { key, value: null };
  const v = createShareStateValue({
    stateEpoch: r.snapshot.stateEpoch,
    startOffset: r.snapshot.startOffset,
    stateBatches: r.snapshot.batches.map((b) => createShareStateValueStateBatch({ ...b })),
  });
  return {
    key,
    value: versioned(sizeShareStateValue(v, VERSION), (w) => encodeShareStateValue(w, v, VERSION)),
  };
}

/** Decodes one record; null for a record of a version or state this broker does not know. */
export function decodeShareStateRecord(record: KeyValueRecord): ShareStateRecord | null {
  const kr = new Reader(record.key);
  if (kr.int16() !== VERSION) return null;
  const { groupId, topicId, partition } = decodeShareStateKey(kr, VERSION);
  const key = { groupId, topicId, partition };
  if (record.value === null) return { key, snapshot: null };
  const vr = new Reader(record.value);
  if (vr.int16() !== VERSION) return null;
  const v = decodeShareStateValue(vr, VERSION);
  const batches = [];
  for (const b of v.stateBatches) {
    if (!STATES.has(b.state)) return null;
    batches.push({
      firstOffset: b.firstOffset,
      lastOffset: b.lastOffset,
      state: b.state as RecordState,
      deliveryCount: b.deliveryCount,
    });
  }
  return { key, snapshot: { stateEpoch: v.stateEpoch, startOffset: v.startOffset, batches } };
}
