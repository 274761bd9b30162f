/** The retention rule both engines apply: which prefix of segments goes. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { logConfig } from "../src/config.js";
import { BELOW_LOG_START_ONLY, segmentsToDelete } from "../src/retention.js";

test("retention removes only a prefix of closed segments, never the active one", () => {
  const cfg = logConfig({ retentionMs: 1000, retentionBytes: -1 });
  const segs = [
    { baseOffset: 0, size: 100, maxTimestamp: 10 },
    { baseOffset: 5, size: 100, maxTimestamp: 5000 },
    { baseOffset: 9, size: 100, maxTimestamp: 20 },
    { baseOffset: 12, size: 100, maxTimestamp: 30 },
  ];
  assert.equal(segmentsToDelete(segs, cfg, 5500, 0), 1);
  assert.equal(segmentsToDelete(segs, cfg, 100_000, 0), 3);
  assert.equal(segmentsToDelete(segs, logConfig({ retentionMs: -1 }), 100_000, 0), 0);
  // Kafka's rule: drop the oldest while what is left stays >= retention.bytes.
  assert.equal(
    segmentsToDelete(segs, logConfig({ retentionMs: -1, retentionBytes: 250 }), 0, 0),
    1,
  );
  assert.equal(
    segmentsToDelete(segs, logConfig({ retentionMs: -1, retentionBytes: 200 }), 0, 0),
    2,
  );
  assert.equal(segmentsToDelete(segs, logConfig({ retentionMs: -1 }), 0, 9), 2);
  const compactOnly = logConfig({
    retentionMs: 1,
    cleanupPolicy: { delete: false, compact: true },
  });
  assert.equal(segmentsToDelete(segs, compactOnly, 100_000, 0), 0);
  // DeleteRecords: only what lies wholly below the log start, whatever the limits.
  assert.equal(segmentsToDelete(segs, BELOW_LOG_START_ONLY, 100_000, 8), 1);
  assert.equal(segmentsToDelete(segs, BELOW_LOG_START_ONLY, 100_000, 4), 0);
});

test("a segment without timestamps ages by its last modification, and is kept without one", () => {
  const cfg = logConfig({ retentionMs: 1000, retentionBytes: -1 });
  const active = { baseOffset: 10, size: 1, maxTimestamp: 5000 };
  const aged = { baseOffset: 0, size: 1, maxTimestamp: -1, lastModified: 100 };
  assert.equal(segmentsToDelete([aged, active], cfg, 1101, 0), 1);
  assert.equal(segmentsToDelete([aged, active], cfg, 1100, 0), 0);
  assert.equal(segmentsToDelete([{ ...aged, lastModified: undefined }, active], cfg, 1e12, 0), 0);
});
