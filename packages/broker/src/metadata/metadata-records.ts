import {
  type AclBindingRecord,
  type ClientQuotaRecord,
  type ConfigRecord,
  createConfigRecord,
  createFeatureLevelRecord,
  createMetadataRecordKey,
  decodeAclBindingRecord,
  decodeClientQuotaRecord,
  decodeConfigRecord,
  decodeFeatureLevelRecord,
  decodeMetadataRecordKey,
  decodeScramCredentialRecord,
  decodeTopicRecord,
  encodeAclBindingRecord,
  encodeClientQuotaRecord,
  encodeConfigRecord,
  encodeFeatureLevelRecord,
  encodeMetadataRecordKey,
  encodeScramCredentialRecord,
  encodeTopicRecord,
  Reader,
  type ScramCredentialRecord,
  sizeAclBindingRecord,
  sizeClientQuotaRecord,
  sizeConfigRecord,
  sizeFeatureLevelRecord,
  sizeMetadataRecordKey,
  sizeScramCredentialRecord,
  sizeTopicRecord,
  type TopicRecord,
  Writer,
} from "@logbook/protocol";

/**
 * The records of the metadata log. Key: INT16 version + MetadataRecordKey (kind, name,
 * resource type), so compaction keeps the latest state of each topic, each config
 * resource, each feature, each ACL binding, each user's SCRAM credential per
 * mechanism and each client quota (entity and key). Value: INT16 version +
 * TopicRecord, ConfigRecord, FeatureLevelRecord, AclBindingRecord,
 * ScramCredentialRecord or ClientQuotaRecord; null (a tombstone) once the topic, its
 * overrides, the ACL binding, the credential or the quota are gone.
 */
export const RecordKind = {
  TOPIC: 0,
  CONFIG: 1,
  FEATURE: 2,
  ACL: 3,
  CLIENT_QUOTA: 14,
  SCRAM: 21,
} as const;

/** Kafka's ConfigResource types. */
export const ResourceType = { TOPIC: 2, BROKER: 4, GROUP: 32 } as const;

const VERSION = 0;

export interface MetadataEntry {
  key: Buffer;
  value: Buffer | null;
}

export type MetadataEvent =
  | { kind: "topic"; name: string; record: TopicRecord | null }
  | { kind: "config"; resourceType: number; name: string; record: ConfigRecord | null }
  | { kind: "feature"; name: string; level: number }
  | { kind: "scram"; user: string; mechanism: number; record: ScramCredentialRecord | null }
  /** `id` is the binding's identity (acl-types bindingKey); a null record removes it. */
  | { kind: "acl"; id: string; resourceType: number; record: AclBindingRecord | null }
  /** `id` is the entity and key (quota-records quotaRecordId); a null record removes it. */
  | { kind: "quota"; id: string; record: ClientQuotaRecord | null };

function versioned(size: number, write: (w: Writer) => void): Buffer {
  const w = Writer.alloc(2 + size);
  w.int16(VERSION);
  write(w);
  return w.result();
}

function key(kind: number, name: string, resourceType: number): Buffer {
  const k = createMetadataRecordKey({ kind, name, resourceType });
  return versioned(sizeMetadataRecordKey(k, VERSION), (w) =>
    encodeMetadataRecordKey(w, k, VERSION),
  );
}

export function topicEntry(name: string, record: TopicRecord | null): MetadataEntry {
  return {
    key: key(RecordKind.TOPIC, name, ResourceType.TOPIC),
    value:
      record === null
        ? null
        : versioned(sizeTopicRecord(record, VERSION), (w) => encodeTopicRecord(w, record, VERSION)),
  };
}

export function configEntry(record: ConfigRecord, tombstone = false): MetadataEntry {
  return {
    key: key(RecordKind.CONFIG, record.resourceName, record.resourceType),
    value: tombstone
      ? null
      : versioned(sizeConfigRecord(record, VERSION), (w) => encodeConfigRecord(w, record, VERSION)),
  };
}

/** Decodes one record; undefined for kinds or versions this broker does not know. */
export function decodeEntry(keyBytes: Buffer, value: Buffer | null): MetadataEvent | undefined {
  const kr = new Reader(keyBytes);
  if (kr.int16() !== VERSION) return undefined;
  const k = decodeMetadataRecordKey(kr, VERSION);
  let vr: Reader | null = null;
  if (value !== null) {
    vr = new Reader(value);
    if (vr.int16() !== VERSION) return undefined;
  }
  if (k.kind === RecordKind.TOPIC) {
    return {
      kind: "topic",
      name: k.name,
      record: vr === null ? null : decodeTopicRecord(vr, VERSION),
    };
  }
  if (k.kind === RecordKind.CONFIG) {
    return {
      kind: "config",
      resourceType: k.resourceType,
      name: k.name,
      record: vr === null ? null : decodeConfigRecord(vr, VERSION),
    };
  }
  if (k.kind === RecordKind.SCRAM) {
    return {
      kind: "scram",
      user: k.name,
      mechanism: k.resourceType,
      record: vr === null ? null : decodeScramCredentialRecord(vr, VERSION),
    };
  }
  if (k.kind === RecordKind.ACL) {
    return {
      kind: "acl",
      id: k.name,
      resourceType: k.resourceType,
      record: vr === null ? null : decodeAclBindingRecord(vr, VERSION),
    };
  }
  if (k.kind === RecordKind.CLIENT_QUOTA) {
    return {
      kind: "quota",
      id: k.name,
      record: vr === null ? null : decodeClientQuotaRecord(vr, VERSION),
    };
  }
  if (k.kind === RecordKind.FEATURE && vr !== null) {
    return {
      kind: "feature",
      name: k.name,
      level: decodeFeatureLevelRecord(vr, VERSION).featureLevel,
    };
  }
  return undefined;
}

export function featureEntry(name: string, level: number): MetadataEntry {
  const record = createFeatureLevelRecord({ name, featureLevel: level });
  return {
    key: key(RecordKind.FEATURE, name, 0),
    value: versioned(sizeFeatureLevelRecord(record, VERSION), (w) =>
      encodeFeatureLevelRecord(w, record, VERSION),
    ),
  };
}

function scramEntry(
  user: string,
  mechanism: number,
  record: ScramCredentialRecord | null,
): MetadataEntry {
  return {
    key: key(RecordKind.SCRAM, user, mechanism),
    value:
      record === null
        ? null
        : versioned(sizeScramCredentialRecord(record, VERSION), (w) =>
            encodeScramCredentialRecord(w, record, VERSION),
          ),
  };
}

export function aclEntry(
  id: string,
  resourceType: number,
  record: AclBindingRecord | null,
): MetadataEntry {
  return {
    key: key(RecordKind.ACL, id, resourceType),
    value:
      record === null
        ? null
        : versioned(sizeAclBindingRecord(record, VERSION), (w) =>
            encodeAclBindingRecord(w, record, VERSION),
          ),
  };
}

function quotaEntry(id: string, record: ClientQuotaRecord | null): MetadataEntry {
  return {
    key: key(RecordKind.CLIENT_QUOTA, id, 0),
    value:
      record === null
        ? null
        : versioned(sizeClientQuotaRecord(record, VERSION), (w) =>
            encodeClientQuotaRecord(w, record, VERSION),
          ),
  };
}

/** The entry that records an event (a config tombstone needs only its resource). */
export function encodeEvent(e: MetadataEvent): MetadataEntry {
  if (e.kind === "topic") return topicEntry(e.name, e.record);
  if (e.kind === "scram") return scramEntry(e.user, e.mechanism, e.record);
  if (e.kind === "acl") return aclEntry(e.id, e.resourceType, e.record);
  if (e.kind === "feature") return featureEntry(e.name, e.level);
  if (e.kind === "quota") return quotaEntry(e.id, e.record);
  const record =
    e.record ??
    createConfigRecord({ resourceType: e.resourceType, resourceName: e.name, entries: [] });
  return configEntry(record, e.record === null);
}
