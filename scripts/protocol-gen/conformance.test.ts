/**
 * Conformance: every message in protocol-specs/ that has an Apache Kafka counterpart must
 * match Apache Kafka's definitions.
 * - Against ../shared/kafka-message-specs/ (the snapshot the specs were written from),
 *   where present: field for field, names, types, order, versions, nullable versions,
 *   tags and tagged versions, flexible versions and defaults.
 * - Against the reference Kafka's own definitions (the kafka-clients JAR that
 *   scripts/kafka/pom.xml resolves; every clone has it): at every version both define,
 *   the schema at that version (fields present, types, nullability, tags, flexibility,
 *   defaults). Version ranges themselves differ by design (Kafka 4 dropped old versions
 *   and added new ones); which ranges the broker serves is the differential tests' job.
 */
import assert from "node:assert/strict";
import { access } from "node:fs/promises";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { kafkaJarSpecs } from "./kafka-jar-specs.js";
import { type KafkaField, type KafkaMessage, readKafkaMessage } from "./kafka-json.js";
import { type FieldSpec, formatRange, fullName, parseRange } from "./spec-model.js";
import { loadSpecs } from "./spec-parser.js";
import { type FieldAt, kafkaMessageAt, specMessageAt } from "./version-slice.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const REFERENCE = join(ROOT, "../shared/kafka-message-specs");

/** The APIs the broker will serve (issue #2); each must have a spec at every version. */
const REQUIRED_APIS = [
  "Produce",
  "Fetch",
  "ListOffsets",
  "Metadata",
  "OffsetCommit",
  "OffsetFetch",
  "FindCoordinator",
  "JoinGroup",
  "Heartbeat",
  "LeaveGroup",
  "SyncGroup",
  "DescribeGroups",
  "ListGroups",
  "SaslHandshake",
  "ApiVersions",
  "CreateTopics",
  "DeleteTopics",
  "DeleteRecords",
  "InitProducerId",
  "OffsetForLeaderEpoch",
  "AddPartitionsToTxn",
  "AddOffsetsToTxn",
  "EndTxn",
  "WriteTxnMarkers",
  "TxnOffsetCommit",
  "DescribeAcls",
  "CreateAcls",
  "DeleteAcls",
  "DescribeConfigs",
  "AlterConfigs",
  "DescribeLogDirs",
  "SaslAuthenticate",
  "CreatePartitions",
  "DeleteGroups",
  "IncrementalAlterConfigs",
  "OffsetDelete",
  "DescribeCluster",
  "DescribeProducers",
  "DescribeTransactions",
  "ListTransactions",
  "ConsumerGroupHeartbeat",
  "ConsumerGroupDescribe",
  "DescribeTopicPartitions",
  "ShareGroupHeartbeat",
  "ShareGroupDescribe",
  "ShareFetch",
  "ShareAcknowledge",
  "DescribeShareGroupOffsets",
  "AlterShareGroupOffsets",
  "DeleteShareGroupOffsets",
  "UpdateFeatures",
  "ListConfigResources",
  "DescribeUserScramCredentials",
  "AlterUserScramCredentials",
  "DescribeClientQuotas",
  "AlterClientQuotas",
];
const REFERENCE_DATA = [
  "RequestHeader",
  "ResponseHeader",
  "ConsumerProtocolSubscription",
  "ConsumerProtocolAssignment",
];

/**
 * Fields Kafka renamed after the snapshot our specs follow; the wire format is the same,
 * only the name in Kafka's JSON changed. Kafka's new name -> ours.
 */
const RENAMED_SINCE_SNAPSHOT: Readonly<Record<string, string>> = {
  // Kafka 4.x: the field also carries a member epoch for KIP-848 consumer groups.
  "TxnOffsetCommitRequest.GenerationIdOrMemberEpoch": "GenerationId",
};

/**
 * Messages whose version range changed after the snapshot with the same fields: the
 * snapshot's range, checked, in place of ours. Kafka 4.1 renumbered the early-access
 * share-group APIs (KIP-932) from v0 to v1.
 */
const RANGE_BEFORE_SNAPSHOT_RENUMBERING: Readonly<Record<string, string>> = {
  ShareGroupHeartbeatRequest: "0",
  ShareGroupHeartbeatResponse: "0",
  ShareGroupDescribeRequest: "0",
  ShareGroupDescribeResponse: "0",
};

/**
 * Messages the snapshot has under another name (Kafka 4.1 turned ListClientMetricsResources
 * into ListConfigResources, KIP-1142, renaming its fields too): checked against the
 * reference Kafka's definition only.
 */
const RENAMED_MESSAGES_SINCE_SNAPSHOT: ReadonlySet<string> = new Set([
  "ListConfigResourcesRequest",
  "ListConfigResourcesResponse",
]);

function renamed(message: string, fields: FieldAt[]): FieldAt[] {
  return fields.map((f) => ({
    ...f,
    name: RENAMED_SINCE_SNAPSHOT[`${message}.${f.name}`] ?? f.name,
    fields: f.fields === undefined ? undefined : renamed(message, f.fields),
  }));
}

/**
 * APIs written from the reference Kafka (4.4) rather than the snapshot: the snapshot has
 * no definition of them, or only the early-access v0 that Kafka 4.4 no longer serves
 * (KIP-932 share groups). The reference check above covers them at every version.
 */
const NEWER_THAN_SNAPSHOT: ReadonlySet<string> = new Set([
  "ShareFetch",
  "ShareAcknowledge",
  "DescribeShareGroupOffsets",
  "AlterShareGroupOffsets",
  "DeleteShareGroupOffsets",
]);

const norm = (r: string | undefined): string => formatRange(r === undefined ? null : parseRange(r));

/** A default as a comparable string: numbers by value, so "0x7fffffff" equals 2147483647. */
function normDefault(d: string | number | boolean | undefined): string | undefined {
  if (d === undefined) return undefined;
  const s = String(d);
  if (/^-?(0x[0-9a-f]+|\d+)$/i.test(s))
    return BigInt(s.startsWith("-") ? `-${BigInt(s.slice(1))}` : s).toString();
  return s;
}

interface Comparable {
  name: string;
  type: string;
  versions: string;
  nullableVersions: string;
  tag: number | undefined;
  taggedVersions: string;
  flexibleVersions: string | undefined;
  default: string | undefined;
  fields: Comparable[] | undefined;
}

function fromKafka(f: KafkaField): Comparable {
  return {
    name: f.name,
    type: f.type,
    versions: norm(f.versions),
    nullableVersions: norm(f.nullableVersions),
    tag: f.tag,
    taggedVersions: f.tag === undefined ? "none" : norm(f.taggedVersions ?? f.versions),
    flexibleVersions: f.flexibleVersions === undefined ? undefined : norm(f.flexibleVersions),
    default: normDefault(f.default),
    fields: f.fields?.map(fromKafka),
  };
}

function fromSpec(f: FieldSpec): Comparable {
  return {
    name: f.name,
    type: f.type,
    versions: formatRange(f.versions),
    nullableVersions: formatRange(f.nullableVersions),
    tag: f.tag,
    taggedVersions: f.tag === undefined ? "none" : formatRange(f.taggedVersions ?? null),
    flexibleVersions:
      f.flexibleVersions === undefined ? undefined : formatRange(f.flexibleVersions),
    default: normDefault(f.default),
    fields: f.fields?.map(fromSpec),
  };
}

async function referenceAvailable(): Promise<boolean> {
  try {
    await access(REFERENCE);
    return true;
  } catch {
    return false;
  }
}

const available = await referenceAvailable();
const specs = await loadSpecs(join(ROOT, "protocol-specs"));
const byName = new Map(specs.map((m) => [fullName(m), m]));

test("protocol-specs has a request and a response for every API the broker serves", () => {
  for (const api of REQUIRED_APIS) {
    assert.ok(byName.has(`${api}Request`), `missing ${api}Request`);
    assert.ok(byName.has(`${api}Response`), `missing ${api}Response`);
  }
});

const compared = [
  ...REQUIRED_APIS.flatMap((a) => [`${a}Request`, `${a}Response`]),
  ...REFERENCE_DATA,
];

for (const name of compared) {
  test(`conformance: ${name} matches the reference Kafka's definition at every shared version`, async () => {
    const ours = byName.get(name);
    assert.ok(ours, `no spec for ${name}`);
    const jar = kafkaJarSpecs();
    const ref: KafkaMessage = await readKafkaMessage(join(jar.dir, `${name}.json`));
    assert.equal(ours.apiKey, ref.apiKey, "apiKey");
    const theirs = parseRange(ref.validVersions);
    assert.ok(theirs !== null, `${name} has versions in kafka-clients ${jar.version}`);
    const from = Math.max(ours.validVersions.min, theirs.min);
    const to = Math.min(ours.validVersions.max, theirs.max);
    assert.ok(from <= to, `${name}: no version in common with kafka-clients ${jar.version}`);
    for (let v = from; v <= to; v++) {
      const kafka = kafkaMessageAt(ref, v, normDefault);
      assert.deepEqual(
        specMessageAt(ours, v, normDefault),
        { ...kafka, fields: renamed(name, kafka.fields) },
        `${name} v${v} against kafka-clients ${jar.version}`,
      );
    }
  });
  // The snapshot the specs were written from is only beside a CI checkout; where it is
  // absent the reference Kafka's definitions above still check every message.
  if (
    !available ||
    NEWER_THAN_SNAPSHOT.has(name.replace(/(Request|Response)$/, "")) ||
    RENAMED_MESSAGES_SINCE_SNAPSHOT.has(name)
  )
    continue;
  test(`conformance: ${name} matches Apache Kafka's definition`, async () => {
    const ours = byName.get(name);
    assert.ok(ours, `no spec for ${name}`);
    const ref: KafkaMessage = await readKafkaMessage(join(REFERENCE, `${name}.json`));
    assert.equal(ours.apiKey, ref.apiKey, "apiKey");
    const renumbered = RANGE_BEFORE_SNAPSHOT_RENUMBERING[name];
    const snapshot = parseRange(ref.validVersions);
    if (renumbered !== undefined) {
      assert.equal(norm(ref.validVersions), renumbered, "the snapshot's range before renumbering");
    } else if (snapshot !== null && ours.validVersions.max > snapshot.max) {
      // Versions Kafka added after the snapshot: the test above checks them against the
      // reference Kafka; here every version the snapshot knows must still match it.
      assert.equal(ours.validVersions.min, snapshot.min, "validVersions (lowest)");
      for (let v = snapshot.min; v <= snapshot.max; v++) {
        assert.deepEqual(
          specMessageAt(ours, v, normDefault),
          kafkaMessageAt(ref, v, normDefault),
          `${name} v${v} against the snapshot`,
        );
      }
      return;
    } else {
      assert.equal(formatRange(ours.validVersions), norm(ref.validVersions), "validVersions");
    }
    assert.equal(
      formatRange(ours.flexibleVersions),
      norm(ref.flexibleVersions),
      "flexibleVersions",
    );
    assert.deepEqual(ours.fields.map(fromSpec), ref.fields.map(fromKafka), "fields");
    const refCommon = (ref.commonStructs ?? []).map((s) => ({
      name: s.name,
      versions: norm(s.versions),
      fields: s.fields.map(fromKafka),
    }));
    const ourCommon = ours.commonStructs.map((s) => ({
      name: s.name,
      versions: formatRange(s.versions),
      fields: s.fields.map(fromSpec),
    }));
    assert.deepEqual(ourCommon, refCommon, "commonStructs");
  });
}
