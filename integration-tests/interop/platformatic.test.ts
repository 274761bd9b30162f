/**
 * Interop matrix, @platformatic/kafka column, run by drivers/platformatic-driver.ts under
 * Node 22 (platformatic-run.ts says why).
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { drivenMatrix } from "./driven.js";
import { runPlatformatic } from "./platformatic-run.js";
import type { GroupResult } from "./scenarios.js";

const LIBRARY_APIS = join(import.meta.dirname, "../node_modules/@platformatic/kafka/dist/apis");

const driver = (args: string[]) => runPlatformatic(args);

/**
 * The group driver drops records that arrive for a partition the member no longer holds
 * and reports them as "<member>:<partition>:<value>". Each must be a duplicate: the
 * partition's owner read (and committed) the same record, so the guard loses nothing.
 */
function checkStaleAreDuplicates(r: GroupResult & { stale: string[] }): void {
  assert.ok(Array.isArray(r.stale), "the driver reports the records it dropped");
  for (const s of r.stale) {
    const [who, partition, value] = s.split(":");
    const ownerRead =
      r.firstPhase.includes(value ?? "") ||
      r.resumed.includes(value ?? "") ||
      r.secondPhase.some((x) => x === `${who === "a" ? "b" : "a"}:${partition}:${value}`);
    assert.ok(ownerRead, `dropped ${s} was read by the partition's owner: ${JSON.stringify(r)}`);
  }
}

drivenMatrix({
  client: "platformatic",
  src: "platformatic",
  version: async () => String(await driver(["version"])),
  run: async (env, scenario, topic, extra) => {
    const r = await driver([scenario, env.broker.bootstrap, topic, ...extra]);
    if (scenario === "group" || scenario === "group-consumer-protocol")
      checkStaleAreDuplicates(r as GroupResult & { stale: string[] });
    return r;
  },
  notSupported: {
    "share-group": {
      reason:
        "@platformatic/kafka 2.12.1 (the newest release on 2026-12-05) has no share consumer: it implements none of the share-group APIs (KIP-932)",
      probe: async () => {
        // The library keeps one module per API and version, e.g. consumer/consumer-group-heartbeat-v1.js.
        const apis = readdirSync(LIBRARY_APIS, { recursive: true, encoding: "utf8" });
        assert.ok(apis.includes("consumer/consumer-group-heartbeat-v1.js"), "the API list read");
        assert.deepEqual(
          apis.filter((f) => /share/i.test(f)),
          [],
        );
      },
    },
  },
  caveats: {
    "group-consumer-protocol":
      "the application drops records of partitions it no longer holds, as in the classic group cell: under group.protocol=consumer @platformatic/kafka 2.12.1 likewise delivers the records of a Fetch sent before the rebalance for the partitions it has just lost (against Kafka 4.4.0, 2026-12-05: 10 such records in 2 of 3 runs of the driver), and each test checks that every dropped record was read by the partition's owner",
    group:
      "the application drops records of partitions it no longer holds: @platformatic/kafka 2.12.1 still delivers the records of a Fetch sent before a rebalance (a long poll still waiting when the new assignment arrives, which then returns the records produced right after) for the partitions it has just lost, and it does so against Kafka 4.4.0 as against Logbook (2026-12-04, the group driver run 5 times on each: the first member delivered all 10 records produced after the rebalance to its 2 lost partitions, besides their new owner, in 5 of 5 runs on Kafka and 4 of 5 on Logbook), so it is the client's behaviour, not the broker's (a Fetch carries no group generation; Kafka's Java consumer drops such records inside the client); with that guard every record is read once by its owner, and each test checks that every dropped record was read by the partition's owner",
  },
});
