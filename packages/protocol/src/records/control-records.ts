import { DecodeError } from "../primitives/errors.js";
import { buildBatch } from "./batch-encode.js";

/** Control record key types (wire-format-notes 5); 2-6 are KRaft-internal. */
export const ControlRecordType = {
  abort: 0,
  commit: 1,
  leaderChange: 2,
  snapshotHeader: 3,
  snapshotFooter: 4,
  kraftVersion: 5,
  kraftVoters: 6,
} as const;

export interface ControlRecordKey {
  version: number;
  type: number;
}

export interface EndTxnMarker {
  version: number;
  coordinatorEpoch: number;
}

export function encodeControlKey(key: ControlRecordKey): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt16BE(key.version, 0);
  b.writeInt16BE(key.type, 2);
  return b;
}

/** Reads version and type; later versions may append fields, which are ignored. */
export function decodeControlKey(key: Buffer | null): ControlRecordKey {
  if (key === null || key.length < 4) {
    throw new DecodeError(
      "truncated",
      `control record key needs 4 bytes, has ${key?.length ?? "null"}`,
      0,
    );
  }
  const version = key.readInt16BE(0);
  if (version < 0) throw new DecodeError("invalid-value", `control key version ${version}`, 0);
  return { version, type: key.readInt16BE(2) };
}

export function encodeEndTxnMarker(marker: EndTxnMarker): Buffer {
  const b = Buffer.alloc(6);
  b.writeInt16BE(marker.version, 0);
  b.writeInt32BE(marker.coordinatorEpoch, 2);
  return b;
}

export function decodeEndTxnMarker(value: Buffer | null): EndTxnMarker {
  if (value === null || value.length < 6) {
    throw new DecodeError(
      "truncated",
      `transaction marker needs 6 bytes, has ${value?.length ?? "null"}`,
      0,
    );
  }
  const version = value.readInt16BE(0);
  if (version < 0) throw new DecodeError("invalid-value", `marker version ${version}`, 0);
  return { version, coordinatorEpoch: value.readInt32BE(2) };
}

export interface EndTxnMarkerBatchSpec {
  commit: boolean;
  producerId: bigint;
  producerEpoch: number;
  coordinatorEpoch: number;
  timestamp: bigint;
  baseOffset?: bigint;
  partitionLeaderEpoch?: number;
}

/** A transactional control batch with one COMMIT or ABORT marker; baseSequence stays -1. */
export function buildEndTxnMarkerBatch(spec: EndTxnMarkerBatchSpec): Promise<Buffer> {
  const type = spec.commit ? ControlRecordType.commit : ControlRecordType.abort;
  return buildBatch(
    [
      {
        timestamp: spec.timestamp,
        key: encodeControlKey({ version: 0, type }),
        value: encodeEndTxnMarker({ version: 0, coordinatorEpoch: spec.coordinatorEpoch }),
      },
    ],
    {
      baseOffset: spec.baseOffset ?? 0n,
      partitionLeaderEpoch: spec.partitionLeaderEpoch ?? -1,
      isTransactional: true,
      isControl: true,
      producerId: spec.producerId,
      producerEpoch: spec.producerEpoch,
      baseSequence: -1,
    },
  );
}
