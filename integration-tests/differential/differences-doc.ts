/**
 * docs/kafka-differences.md, written from the lists the differential tests enforce
 * (allowed-differences.ts, version-ranges.ts), so the document cannot drift from
 * them: `node --import tsx integration-tests/differential/differences-doc.ts --write`
 * rewrites it; differences-doc.test.ts fails when it is stale.
 */
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import {
  ALLOWED_DIFFERENCES,
  type AllowedDifference,
  EXPECTED_DIVERGENCES,
  type ExpectedDivergence,
} from "./allowed-differences.js";
import { NARROWER_RANGES } from "./version-ranges.js";

export const DOC_PATH = fileURLToPath(new URL("../../docs/kafka-differences.md", import.meta.url));

const cell = (s: string) => s.replace(/\|/g, "\\|");

function allowedRow(a: AllowedDifference): string {
  const keys = a.keys === undefined ? "" : ` (${a.keys.map((k) => `\`${k}\``).join(", ")})`;
  return `| ${a.api} | \`${a.path}\`${keys} | ${cell(a.reason)} |`;
}

function divergenceRow(d: ExpectedDivergence): string {
  return `| ${d.api} | ${cell(d.when)} | ${d.paths.map((p) => `\`${p}\``).join(", ")} | ${cell(d.reason)} |`;
}

export function renderDifferencesDoc(): string {
  const divergences: ExpectedDivergence[] = Object.values(EXPECTED_DIVERGENCES);
  const isBug = (x: { openBug?: true }) => x.openBug === true;
  const lines = [
    "# Where Logbook answers differently from Apache Kafka",
    "",
    "<!-- Written by integration-tests/differential/differences-doc.ts from the lists the",
    "differential tests enforce; edit those lists, not this file. -->",
    "",
    "The differential tests (`integration-tests/differential/`) send the same conversation of",
    "requests to Apache Kafka 4.4.0 (one KRaft node) and to Logbook and compare the decoded",
    "answers field by field: every API Logbook advertises at its oldest and newest version",
    "that both serve, and the error paths of produce, fetch, offsets, admin, groups and",
    "transactions, plus requests Kafka tolerates (bytes after the body, unknown tagged",
    "fields, null client ids). Both brokers run with the same node id, cluster id and group",
    "settings. Every difference they find is either fixed or listed below with its reason;",
    "a difference not listed fails the tests.",
    "",
    "## Fields that may differ in any answer",
    "",
    "| API | field (path in the answer) | why |",
    "|---|---|---|",
    ...ALLOWED_DIFFERENCES.filter((a) => !isBug(a)).map(allowedRow),
    "",
    "## Answers that differ on purpose",
    "",
    "| API | when | fields | why |",
    "|---|---|---|---|",
    ...divergences.filter((d) => !isBug(d)).map(divergenceRow),
    "",
    "## Known bugs (found by these tests, not fixed yet)",
    "",
    "The exchange-specific ones (the last two here) are checked exactly: once fixed, their",
    "test fails until the entry is removed.",
    "",
    "| API | when | fields | what Kafka does |",
    "|---|---|---|---|",
    ...ALLOWED_DIFFERENCES.filter(isBug).map((a) =>
      divergenceRow({ api: a.api, when: "any answer", paths: [a.path], reason: a.reason }),
    ),
    ...divergences.filter(isBug).map(divergenceRow),
    "",
    "## Timing: where Kafka answers later, and the tests wait for it",
    "",
    "Kafka's coordinators and controller work asynchronously where Logbook, a single",
    "process, finishes before it answers. The tests wait for Kafka (retrying on its side",
    "only) and then compare, so these are not listed as differences above:",
    "",
    "- the first use of a group or transactional id: Kafka creates `__consumer_offsets` /",
    "  `__transaction_state` and answers COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR or",
    "  COORDINATOR_LOAD_IN_PROGRESS for a while (also InitProducerId until its first block",
    "  of producer ids arrives); Logbook's coordinators are ready at start;",
    "- a new topic: Kafka's CreateTopics answers before the partition leaders serve",
    "  (NOT_LEADER_OR_FOLLOWER meanwhile); Logbook's topic serves when the answer leaves;",
    "- EndTxn: Kafka answers before its coordinator has written the commit or abort markers",
    "  and answers CONCURRENT_TRANSACTIONS to the producer's next transactional request",
    "  until then; Logbook writes the markers first, so the next request succeeds at once;",
    "- a read_committed Fetch right after markers were written may return fewer batches",
    "  from Kafka than from Logbook; both are valid, a consumer fetches again.",
    "",
    "## A full Fetch response",
    "",
    "Where a Fetch reaches its max_bytes (or a partition its partition_max_bytes), the",
    "records differ by design, so no differential check compares them; offsets, high",
    "watermark, last stable offset, log start and aborted transactions do not differ.",
    "",
    "- Kafka fills the space left with the start of the next batch, cut off where the space",
    "  ends (every client drops the cut batch and fetches it again); Logbook sends whole",
    "  batches only, so its response may be smaller by up to one batch.",
    "- A large fetch (512 KiB or more, from the disk engine) is sized before it is read, so",
    "  that its first bytes leave while the rest is read: each partition then ends at the",
    "  last batch boundary the log knows within the space (an offset index entry, every",
    "  `index.interval.bytes`, 4 KiB by default; where the last read ended; a segment's end).",
    "  With batches under 4 KiB that is up to about 4 KiB less than the whole batches that",
    "  would fit, and a partition whose next known boundary lies past the space left is",
    "  answered without records; the next fetch returns them. Over one partition, the first",
    "  batch is always returned whole, even when larger than the limits, as Kafka does.",
    "",
    "## Versions Logbook serves fewer of than Kafka",
    "",
    "ApiVersions ranges compared with Kafka 4.4.0's. Logbook also serves some older versions",
    "Kafka 4 dropped (for example ListOffsets v0, OffsetCommit v0-v1, CreateTopics v0-v1),",
    "and every version it advertises answers (checked one by one), except Produce v0-v2 as",
    "described above.",
    "",
    "| key | API | Logbook | Kafka 4.4.0 | why |",
    "|---|---|---|---|---|",
    ...Object.entries(NARROWER_RANGES).map(
      ([key, r]) => `| ${key} | ${r.api} | ${r.logbook} | ${r.kafka} | ${cell(r.reason)} |`,
    ),
    "",
  ];
  return lines.join("\n");
}

if (process.argv.includes("--write")) await writeFile(DOC_PATH, renderDifferencesDoc());
