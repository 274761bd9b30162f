import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode } from "@logbook/protocol";
import {
  ANSWERS,
  GROUP_STATES,
  GroupStateMachine,
  InvalidTransitionError,
  rebalancePending,
  VALID_PREVIOUS,
} from "../src/group-state.js";

describe("group state table", () => {
  for (const from of GROUP_STATES) {
    for (const to of GROUP_STATES) {
      const valid = VALID_PREVIOUS[to].includes(from);
      it(`${from} -> ${to} ${valid ? "is allowed" : "throws"}`, () => {
        const sm = new GroupStateMachine(from);
        if (valid) {
          sm.transition(to);
          assert.equal(sm.state, to);
        } else {
          assert.throws(() => sm.transition(to), InvalidTransitionError);
          assert.equal(sm.state, from);
        }
      });
    }
  }

  it("only a freshly loaded (Empty) group may resume Stable with its stored members", () => {
    const loaded = new GroupStateMachine();
    loaded.loadedWithMembers();
    assert.equal(loaded.state, "Stable");
    assert.throws(() => loaded.loadedWithMembers(), InvalidTransitionError);
  });

  it("a new group starts Empty and runs the whole classic cycle", () => {
    const sm = new GroupStateMachine();
    assert.equal(sm.state, "Empty");
    for (const s of [
      "PreparingRebalance",
      "CompletingRebalance",
      "Stable",
      "PreparingRebalance",
      "Empty",
      "Dead",
    ] as const) {
      sm.transition(s);
      assert.equal(sm.state, s);
    }
    assert.throws(() => sm.transition("Stable"), /Dead -> Stable/);
  });

  it("heartbeat answers REBALANCE_IN_PROGRESS only while members must rejoin", () => {
    assert.deepEqual(Object.fromEntries(GROUP_STATES.map((s) => [s, ANSWERS[s].heartbeat])), {
      Empty: ErrorCode.UNKNOWN_MEMBER_ID,
      PreparingRebalance: ErrorCode.REBALANCE_IN_PROGRESS,
      CompletingRebalance: ErrorCode.NONE,
      Stable: ErrorCode.NONE,
      Dead: ErrorCode.COORDINATOR_NOT_AVAILABLE,
    });
    assert.deepEqual(
      GROUP_STATES.filter((s) => rebalancePending(s)),
      ["PreparingRebalance", "CompletingRebalance"],
    );
  });

  it("a Dead group answers COORDINATOR_NOT_AVAILABLE to every member request", () => {
    const dead = ANSWERS.Dead;
    for (const a of [dead.join, dead.sync, dead.heartbeat, dead.commit, dead.leave]) {
      assert.equal(a, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    assert.equal(ANSWERS.PreparingRebalance.sync, ErrorCode.REBALANCE_IN_PROGRESS);
    assert.equal(ANSWERS.CompletingRebalance.commit, ErrorCode.REBALANCE_IN_PROGRESS);
    assert.equal(ANSWERS.Empty.sync, ErrorCode.UNKNOWN_MEMBER_ID);
  });
});
