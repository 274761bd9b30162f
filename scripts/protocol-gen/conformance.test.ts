/**
 * Conformance: every message in protocol-specs/ that has an Apache Kafka counterpart must
 * match ../shared/kafka-message-specs/ field for field: names, types, order, versions,
 * nullable versions, tags and tagged versions, flexible versions and defaults.
 * Where ../shared is absent (outside CI) the test reports itself as skipped.
 */
import assert from "node:assert/strict";
import { access } from "node:fs/promises";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { type KafkaField, type KafkaMessage, readKafkaMessage } from "./kafka-json.js";
import { type FieldSpec, formatRange, fullName, parseRange } from "./spec-model.js";
import { loadSpecs } from "./spec-parser.js";

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
];
const REFERENCE_DATA = [
  "RequestHeader",
  "ResponseHeader",
  "ConsumerProtocolSubscription",
  "ConsumerProtocolAssignment",
];

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
  test(`conformance: ${name} matches Apache Kafka's definition`, {
    skip: available ? false : "../shared/kafka-message-specs is absent",
  }, async () => {
    const ours = byName.get(name);
    assert.ok(ours, `no spec for ${name}`);
    const ref: KafkaMessage = await readKafkaMessage(join(REFERENCE, `${name}.json`));
    assert.equal(ours.apiKey, ref.apiKey, "apiKey");
    assert.equal(formatRange(ours.validVersions), norm(ref.validVersions), "validVersions");
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
