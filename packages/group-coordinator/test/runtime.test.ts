import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode } from "@logbook/protocol";
import { silentLogger } from "@logbook/storage";
import {
  answer,
  CoordinatorClosedError,
  CoordinatorNotAvailableError,
  CoordinatorRuntime,
  type ShardLog,
} from "../src/runtime/index.js";
import { FakeClock } from "./fake-clock.js";

/** A counter per key: the smallest state machine that shows append-then-replay. */
type Counters = Map<string, number>;
interface Add {
  key: string;
  by: number;
}

class MemoryShardLog implements ShardLog<Add> {
  readonly records: Add[] = [];
  failNext: Error | null = null;
  /** Appends wait for this before landing, so a test can look between append and replay. */
  gate: Promise<void> = Promise.resolve();

  async append(records: readonly Add[]): Promise<void> {
    await this.gate;
    const failure = this.failNext;
    this.failNext = null;
    if (failure !== null) throw failure;
    this.records.push(...records);
  }

  async replay(visit: (record: Add) => void): Promise<void> {
    for (const r of this.records) visit(r);
  }
}

function replay(state: Counters, r: Add): void {
  state.set(r.key, (state.get(r.key) ?? 0) + r.by);
}

async function open(log = new MemoryShardLog(), clock = new FakeClock()) {
  const rt = await CoordinatorRuntime.load<Counters, Add>({
    name: "test-0",
    state: new Map(),
    log,
    replay,
    clock,
    logger: silentLogger,
  });
  clock.settle = () => rt.idle();
  return { rt, log, clock };
}

/** An operation adding `by` to `key`, answering the value it saw before. */
const add = (key: string, by: number) => (s: Counters) => ({
  records: [{ key, by }],
  response: s.get(key) ?? 0,
});

describe("coordinator runtime", () => {
  it("loads by replaying the log through the replay function", async () => {
    const log = new MemoryShardLog();
    log.records.push({ key: "a", by: 2 }, { key: "a", by: 3 }, { key: "b", by: 1 });
    const { rt } = await open(log);
    assert.deepEqual(
      [...rt.state],
      [
        ["a", 5],
        ["b", 1],
      ],
    );
  });

  it("appends first, replays, runs the follow-up, then answers", async () => {
    const { rt, log } = await open();
    let release = () => {};
    log.gate = new Promise((r) => {
      release = r;
    });
    const steps: string[] = [];
    const answered = rt
      .run(() => ({
        records: [{ key: "a", by: 1 }],
        response: "done",
        appended: () => {
          steps.push(`appended a=${rt.state.get("a")}`);
        },
      }))
      .then((r) => steps.push(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(rt.state.get("a"), undefined, "nothing is replayed before the append lands");
    assert.deepEqual(steps, []);
    release();
    await answered;
    assert.deepEqual(steps, ["appended a=1", "done"]);
    assert.deepEqual(log.records, [{ key: "a", by: 1 }]);
  });

  it("an asynchronous follow-up ends before the response and before the next operation", async () => {
    const { rt } = await open();
    const steps: string[] = [];
    const first = rt.run(() => ({
      records: [{ key: "a", by: 1 }],
      response: "first",
      appended: async () => {
        await new Promise((r) => setImmediate(r));
        steps.push("follow-up");
      },
    }));
    const second = rt.run((s) => {
      steps.push(`second saw a=${s.get("a")}`);
      return answer("second");
    });
    steps.push(await first);
    await second;
    assert.equal(steps[0], "follow-up");
    assert.deepEqual(steps.slice(1).sort(), ["first", "second saw a=1"]);
  });

  it("runs operations one at a time in submission order", async () => {
    const { rt } = await open();
    const seen = await Promise.all([
      rt.run(async (s) => {
        await new Promise((r) => setImmediate(r));
        return add("a", 1)(s);
      }),
      rt.run(add("a", 10)),
      rt.run((s) => answer(s.get("a"))),
    ]);
    assert.deepEqual(seen, [0, 1, 11]);
  });

  it("a failed append replays nothing and answers COORDINATOR_NOT_AVAILABLE", async () => {
    const { rt, log } = await open();
    log.failNext = new Error("disk full");
    const code = await rt.run(() => ({
      records: [{ key: "a", by: 1 }],
      response: ErrorCode.NONE as number,
      appended: () => assert.fail("not appended"),
      failed: (errorCode) => errorCode,
    }));
    assert.equal(code, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    assert.equal(rt.state.get("a"), undefined);
    log.failNext = new Error("disk full");
    await assert.rejects(rt.run(add("a", 1)), (err: unknown) => {
      assert.ok(err instanceof CoordinatorNotAvailableError);
      assert.equal(err.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
      return true;
    });
    assert.equal(await rt.run(add("a", 1)), 0, "the queue goes on");
  });

  it("an operation that throws rejects its caller only", async () => {
    const { rt } = await open();
    await assert.rejects(
      rt.run(() => {
        throw new Error("bug");
      }),
      /bug/,
    );
    assert.equal(await rt.run(add("a", 1)), 0);
  });

  it("keyed timers: rescheduling replaces, cancelling stops", async () => {
    const { rt, clock } = await open();
    rt.schedule("k", 100, add("a", 1));
    rt.schedule("k", 300, add("a", 10));
    rt.schedule("gone", 50, add("a", 100));
    rt.cancel("gone");
    assert.equal(rt.isScheduled("gone"), false);
    await clock.advance(200);
    assert.equal(rt.state.get("a"), undefined);
    await clock.advance(100);
    assert.equal(rt.state.get("a"), 10);
    assert.equal(rt.isScheduled("k"), false);
  });

  it("a timer rescheduled after it fired but before it ran is skipped", async () => {
    const { rt, clock } = await open();
    let release = () => {};
    const busy = rt.run(async () => {
      await new Promise<void>((r) => {
        release = r;
      });
      return answer(undefined);
    });
    rt.schedule("k", 10, add("a", 1));
    clock.settle = async () => {};
    await clock.advance(10); // fires: its operation waits behind `busy`
    rt.schedule("k", 1000, add("a", 5));
    release();
    await busy;
    await rt.idle();
    assert.equal(rt.state.get("a"), undefined, "the stale firing did nothing");
    assert.equal(rt.isScheduled("k"), true);
  });

  it("close: queued operations finish, timers stop, the last operation runs, later ones are refused", async () => {
    const { rt, clock } = await open();
    rt.schedule("k", 10, add("a", 1));
    const queued = rt.run(add("b", 1));
    let lastSaw: number | undefined;
    await rt.close((s) => {
      lastSaw = s.get("b");
    });
    assert.equal(await queued, 0);
    assert.equal(lastSaw, 1);
    await clock.advance(100);
    assert.equal(rt.state.get("a"), undefined);
    await assert.rejects(rt.run(add("a", 1)), CoordinatorClosedError);
    rt.schedule("k", 10, add("a", 1));
    assert.equal(rt.isScheduled("k"), false);
  });
});
