/**
 * Property tests of the share-partition state machine: random consumers acquire (never
 * more than they ask for: ShareFetch's record_limit mode relies on it), acknowledge
 * (accept/release/reject/gap, and renew, which keeps the record), crash, let locks lapse, and the broker
 * restarts from the persisted snapshot; the invariants KIP-932 promises must hold.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { ErrorCode } from "@logbook/protocol";
import fc from "fast-check";
import { AckType, RecordState } from "../src/share-partition/in-flight.js";
import { SharePartition } from "../src/share-partition/share-partition.js";

const LIMITS = { deliveryCountLimit: 3, lockDurationMs: 100, maxInFlightRecords: 8 };
const MEMBERS = ["m0", "m1", "m2"];

type Step =
  | { kind: "acquire"; member: number; max: number }
  | { kind: "ack"; member: number; type: number }
  | { kind: "crash"; member: number }
  | { kind: "time"; ms: number }
  | { kind: "produce"; n: number }
  | { kind: "restart" };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("acquire" as const),
    member: fc.nat(2),
    max: fc.integer({ min: 1, max: 5 }),
  }),
  fc.record({
    kind: fc.constant("ack" as const),
    member: fc.nat(2),
    type: fc.integer({ min: 0, max: 4 }),
  }),
  fc.record({ kind: fc.constant("crash" as const), member: fc.nat(2) }),
  fc.record({ kind: fc.constant("time" as const), ms: fc.integer({ min: 1, max: 150 }) }),
  fc.record({ kind: fc.constant("produce" as const), n: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant("restart" as const) }),
);

interface World {
  sp: SharePartition;
  now: number;
  logEnd: bigint;
  /** The model: who was handed each offset, and until when its lock holds. */
  holder: Map<bigint, { member: string; until: number }>;
}

function newWorld(): World {
  return { sp: new SharePartition(LIMITS, 0n), now: 0, logEnd: 0n, holder: new Map() };
}

function forget(w: World, member: string): void {
  for (const [o, h] of w.holder) if (h.member === member) w.holder.delete(o);
}

function run(w: World, s: Step): void {
  const member = "member" in s ? (MEMBERS[s.member] as string) : "";
  switch (s.kind) {
    case "acquire": {
      const ranges = w.sp.acquire(member, s.max, 0n, w.logEnd, w.now);
      const count = ranges.reduce((n, r) => n + Number(r.lastOffset - r.firstOffset + 1n), 0);
      assert.ok(count <= s.max, `${count} records acquired, ${s.max} asked for`);
      for (const r of ranges) {
        assert.ok(r.deliveryCount >= 1 && r.deliveryCount <= LIMITS.deliveryCountLimit);
        for (let o = r.firstOffset; o <= r.lastOffset; o++) {
          const h = w.holder.get(o);
          // No record is with two consumers at once (nor twice with the same one).
          assert.ok(
            h === undefined || h.until <= w.now,
            `offset ${o} handed to ${member} while ${h?.member} holds it`,
          );
          w.holder.set(o, { member, until: w.now + LIMITS.lockDurationMs });
        }
      }
      break;
    }
    case "ack": {
      const mine = [...w.holder].filter(([, h]) => h.member === member).map(([o]) => o);
      const o = mine.sort((a, b) => (a < b ? -1 : 1))[0];
      if (o === undefined) break;
      const lapsed = (w.holder.get(o)?.until ?? 0) <= w.now;
      const code = w.sp.acknowledge(
        member,
        [{ firstOffset: o, lastOffset: o, acknowledgeTypes: [s.type] }],
        w.now,
      );
      // Refused exactly when the lock has lapsed.
      assert.equal(code, lapsed ? ErrorCode.INVALID_RECORD_STATE : ErrorCode.NONE);
      if (s.type === AckType.RENEW && !lapsed) {
        // Still the member's, with a fresh lock: nobody else may be handed it until then.
        assert.equal(w.sp.record(o)?.state, RecordState.ACQUIRED);
        w.holder.set(o, { member, until: w.now + LIMITS.lockDurationMs });
      } else w.holder.delete(o);
      break;
    }
    case "crash":
      w.sp.releaseMember(member);
      forget(w, member);
      break;
    case "time":
      w.now += s.ms;
      break;
    case "produce":
      w.logEnd += BigInt(s.n);
      break;
    case "restart":
      w.sp = SharePartition.restore(LIMITS, w.sp.snapshot());
      w.holder.clear();
      break;
  }
}

function checkInvariants(w: World): void {
  const sp = w.sp;
  assert.ok(sp.startOffset <= sp.endOffset);
  assert.ok(sp.endOffset <= w.logEnd);
  assert.ok(sp.endOffset - sp.startOffset <= BigInt(LIMITS.maxInFlightRecords));
  const first = sp.record(sp.startOffset);
  assert.ok(
    first === undefined ||
      (first.state !== RecordState.ACKNOWLEDGED && first.state !== RecordState.ARCHIVED),
    "SPSO rests on a finished record",
  );
  for (let o = sp.startOffset; o < sp.endOffset; o++) {
    const rec = sp.record(o);
    assert.ok(rec !== undefined, `hole at ${o}`);
    assert.ok(rec.deliveryCount <= LIMITS.deliveryCountLimit);
    assert.equal(rec.state === RecordState.ACQUIRED, rec.memberId !== null);
    if (rec.state === RecordState.AVAILABLE)
      assert.ok(rec.deliveryCount < LIMITS.deliveryCountLimit, "available at the limit");
  }
}

it("share-partition: no record is held by two consumers, counts stay within the limit, state stays well-formed", () => {
  fc.assert(
    fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
      const w = newWorld();
      for (const s of steps) {
        run(w, s);
        checkInvariants(w);
      }
    }),
    { numRuns: 300 },
  );
});

it("share-partition: whatever happened before, consumers that keep fetching and accepting finish every record (acknowledged or archived)", () => {
  fc.assert(
    fc.property(fc.array(step, { maxLength: 60 }), fc.nat(2), (steps, closer) => {
      const w = newWorld();
      for (const s of steps) run(w, s);
      // Drain: one consumer fetches and accepts until nothing is left; locks of the
      // others lapse with time.
      const member = MEMBERS[closer] as string;
      for (let round = 0; round < 1000 && w.sp.startOffset < w.logEnd; round++) {
        w.now += LIMITS.lockDurationMs;
        for (const r of w.sp.acquire(member, 5, 0n, w.logEnd, w.now)) {
          const ack = {
            firstOffset: r.firstOffset,
            lastOffset: r.lastOffset,
            acknowledgeTypes: [AckType.ACCEPT],
          };
          assert.equal(w.sp.acknowledge(member, [ack], w.now), ErrorCode.NONE);
        }
      }
      assert.equal(w.sp.startOffset, w.logEnd, "records left unfinished");
      assert.equal(w.sp.endOffset, w.logEnd);
    }),
    { numRuns: 200 },
  );
});

it("share-partition: a record always released is delivered exactly deliveryCountLimit times, then archived", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.boolean(), (n, byTimeout) => {
      const sp = new SharePartition(LIMITS, 0n);
      let now = 0;
      const counts = new Map<bigint, number>();
      for (let round = 0; round < 20; round++) {
        for (const r of sp.acquire("m", 100, 0n, BigInt(n), now)) {
          for (let o = r.firstOffset; o <= r.lastOffset; o++)
            counts.set(o, (counts.get(o) ?? 0) + 1);
          if (!byTimeout) {
            const rel = {
              firstOffset: r.firstOffset,
              lastOffset: r.lastOffset,
              acknowledgeTypes: [AckType.RELEASE],
            };
            assert.equal(sp.acknowledge("m", [rel], now), ErrorCode.NONE);
          }
        }
        now += LIMITS.lockDurationMs;
      }
      for (let o = 0n; o < BigInt(n); o++) assert.equal(counts.get(o), LIMITS.deliveryCountLimit);
      assert.equal(sp.startOffset, BigInt(n));
    }),
    { numRuns: 50 },
  );
});

it("share-partition: a renewed record stays with its member until the renewed lock lapses, with its delivery count", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 0, max: LIMITS.lockDurationMs - 1 }),
      fc.integer({ min: 0, max: 2 * LIMITS.lockDurationMs }),
      (n, renewAt, lookAt) => {
        const sp = new SharePartition(LIMITS, 0n);
        sp.acquire("a", n, 0n, BigInt(n), 0);
        const renew = {
          firstOffset: 0n,
          lastOffset: BigInt(n - 1),
          acknowledgeTypes: [AckType.RENEW],
        };
        assert.equal(sp.acknowledge("a", [renew], renewAt), ErrorCode.NONE);
        const now = renewAt + lookAt;
        const taken = sp.acquire("b", n, 0n, BigInt(n), now);
        if (now < renewAt + LIMITS.lockDurationMs) {
          assert.deepEqual(taken, [], `handed out at ${now}, renewed at ${renewAt}`);
          assert.equal(sp.record(0n)?.memberId, "a");
        } else {
          assert.deepEqual(taken, [
            { firstOffset: 0n, lastOffset: BigInt(n - 1), deliveryCount: 2 },
          ]);
        }
      },
    ),
    { numRuns: 200 },
  );
});
