/**
 * The states of a record between the share-partition start offset (SPSO) and end offset
 * (SPEO), KIP-932. A record below the SPSO is done; one at or past the SPEO has never
 * been handed out. ACKNOWLEDGED and ARCHIVED are terminal: the SPSO moves over them.
 */
export const RecordState = {
  AVAILABLE: 0,
  ACQUIRED: 1,
  ACKNOWLEDGED: 2,
  ARCHIVED: 4,
} as const;
export type RecordState = (typeof RecordState)[keyof typeof RecordState];

/** AcknowledgeTypes values on the wire (ShareFetch/ShareAcknowledge). */
export const AckType = {
  /** The offset holds no record the consumer saw (a control record, a compacted gap). */
  GAP: 0,
  ACCEPT: 1,
  RELEASE: 2,
  REJECT: 3,
  /**
   * KIP-1222: the consumer still works on the record; it stays ACQUIRED by the same
   * member with the same delivery count, its lock restarted (ShareFetch/ShareAcknowledge
   * v2 with IsRenewAck only).
   */
  RENEW: 4,
} as const;
export type AckType = (typeof AckType)[keyof typeof AckType];

export interface InFlightRecord {
  state: RecordState;
  /** Times the record was handed to a consumer (1 on its first delivery). */
  deliveryCount: number;
  /** The member holding it while ACQUIRED. */
  memberId: string | null;
  /** When the acquisition lock lapses (clock ms) while ACQUIRED. */
  lockExpiresAt: number;
}

/** A contiguous run of offsets handed to one consumer with the same delivery count. */
export interface AcquiredRange {
  firstOffset: bigint;
  lastOffset: bigint;
  deliveryCount: number;
}

/** One acknowledgement batch as ShareFetch/ShareAcknowledge carry it. */
export interface AckBatch {
  firstOffset: bigint;
  lastOffset: bigint;
  /** One type for the whole range, or one per offset. */
  acknowledgeTypes: readonly number[];
}

/** A run of offsets in the same state and delivery count: what is persisted. */
export interface StateBatch {
  firstOffset: bigint;
  lastOffset: bigint;
  state: RecordState;
  deliveryCount: number;
}
