import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ErrorCode,
  type ErrorName,
  errorByCode,
  KafkaErrors,
  KafkaProtocolError,
} from "../src/errors.js";

const entries = Object.values(KafkaErrors);

describe("Kafka error table", () => {
  it("covers every code from -1 to 133 with no gaps", () => {
    const codes = entries.map((e) => e.code).sort((a, b) => a - b);
    assert.deepEqual(
      codes,
      Array.from({ length: 135 }, (_, i) => i - 1),
    );
  });

  it("has unique codes and unique names, each keyed by its own name", () => {
    assert.equal(new Set(entries.map((e) => e.code)).size, entries.length);
    assert.equal(new Set(entries.map((e) => e.name)).size, entries.length);
    for (const [key, entry] of Object.entries(KafkaErrors)) {
      assert.equal(entry.name, key);
      assert.match(key, /^[A-Z][A-Z0-9_]*$/);
      assert.ok(entry.message.length > 0, `${key} has a message`);
    }
  });

  it("matches the codes listed in wire-format-notes section 10", () => {
    const expected: [ErrorName, number][] = [
      ["UNKNOWN_SERVER_ERROR", -1],
      ["NONE", 0],
      ["OFFSET_OUT_OF_RANGE", 1],
      ["CORRUPT_MESSAGE", 2],
      ["UNKNOWN_TOPIC_OR_PARTITION", 3],
      ["NOT_LEADER_OR_FOLLOWER", 6],
      ["MESSAGE_TOO_LARGE", 10],
      ["COORDINATOR_NOT_AVAILABLE", 15],
      ["NOT_COORDINATOR", 16],
      ["INVALID_TOPIC_EXCEPTION", 17],
      ["ILLEGAL_GENERATION", 22],
      ["UNKNOWN_MEMBER_ID", 25],
      ["REBALANCE_IN_PROGRESS", 27],
      ["UNSUPPORTED_VERSION", 35],
      ["TOPIC_ALREADY_EXISTS", 36],
      ["INVALID_REQUEST", 42],
      ["OUT_OF_ORDER_SEQUENCE_NUMBER", 45],
      ["INVALID_PRODUCER_EPOCH", 47],
      ["CONCURRENT_TRANSACTIONS", 51],
      ["KAFKA_STORAGE_ERROR", 56],
      ["UNKNOWN_PRODUCER_ID", 59],
      ["NON_EMPTY_GROUP", 68],
      ["GROUP_ID_NOT_FOUND", 69],
      ["FENCED_LEADER_EPOCH", 74],
      ["UNSUPPORTED_COMPRESSION_TYPE", 76],
      ["MEMBER_ID_REQUIRED", 79],
      ["FENCED_INSTANCE_ID", 82],
      ["GROUP_SUBSCRIBED_TO_TOPIC", 86],
      ["INVALID_RECORD", 87],
      ["UNSTABLE_OFFSET_COMMIT", 88],
      ["PRODUCER_FENCED", 90],
      ["UNKNOWN_TOPIC_ID", 100],
      ["FETCH_SESSION_TOPIC_ID_ERROR", 106],
      ["FENCED_MEMBER_EPOCH", 110],
      ["UNRELEASED_INSTANCE_ID", 111],
      ["UNSUPPORTED_ASSIGNOR", 112],
      ["STALE_MEMBER_EPOCH", 113],
      ["TRANSACTION_ABORTABLE", 120],
    ];
    for (const [name, code] of expected) {
      assert.equal(KafkaErrors[name].code, code, name);
      assert.equal(ErrorCode[name], code, name);
    }
  });

  it("marks as retriable exactly what the Java client retries", () => {
    const retriable = entries
      .filter((e) => e.retriable)
      .map((e) => e.code)
      .sort((a, b) => a - b);
    assert.deepEqual(
      retriable,
      [
        2, 3, 5, 6, 7, 9, 13, 14, 15, 16, 19, 20, 41, 51, 56, 70, 71, 72, 74, 75, 78, 80, 83, 84,
        88, 89, 100, 103, 106, 122, 123, 133,
      ],
    );
    const noted: ErrorName[] = [
      "CORRUPT_MESSAGE",
      "UNKNOWN_TOPIC_OR_PARTITION",
      "LEADER_NOT_AVAILABLE",
      "NOT_LEADER_OR_FOLLOWER",
    ];
    for (const name of noted) assert.equal(KafkaErrors[name].retriable, true, name);
    assert.equal(KafkaErrors.COORDINATOR_NOT_AVAILABLE.retriable, true);
    assert.equal(KafkaErrors.NOT_COORDINATOR.retriable, true);
    assert.equal(KafkaErrors.CONCURRENT_TRANSACTIONS.retriable, true);
    assert.equal(KafkaErrors.UNSUPPORTED_VERSION.retriable, false);
    assert.equal(KafkaErrors.PRODUCER_FENCED.retriable, false);
    assert.equal(KafkaErrors.REBALANCE_IN_PROGRESS.retriable, false);
  });

  it("exposes codes as constants", () => {
    const code: 35 = ErrorCode.UNSUPPORTED_VERSION;
    assert.equal(code, 35);
    assert.equal(ErrorCode.MEMBER_ID_REQUIRED, 79);
    assert.equal(ErrorCode.PRODUCER_FENCED, 90);
    assert.equal(ErrorCode.UNKNOWN_TOPIC_ID, 100);
    assert.equal(Object.keys(ErrorCode).length, entries.length);
  });

  it("cannot be modified at run time", () => {
    assert.ok(Object.isFrozen(KafkaErrors));
    assert.ok(Object.isFrozen(KafkaErrors.NONE));
    assert.ok(Object.isFrozen(ErrorCode));
  });
});

describe("errorByCode", () => {
  it("finds every entry by its code", () => {
    for (const entry of entries) assert.equal(errorByCode(entry.code), entry);
    assert.equal(errorByCode(35)?.name, "UNSUPPORTED_VERSION");
    assert.equal(errorByCode(-1)?.name, "UNKNOWN_SERVER_ERROR");
  });

  it("returns undefined for codes it does not know", () => {
    for (const code of [-2, 134, 999, 32767, -32768, 1.5, Number.NaN]) {
      assert.equal(errorByCode(code), undefined, String(code));
    }
  });
});

describe("KafkaProtocolError", () => {
  it("carries the entry, by name or by entry", () => {
    const byName = new KafkaProtocolError("NOT_COORDINATOR", "group g is elsewhere");
    assert.ok(byName instanceof Error);
    assert.equal(byName.error, KafkaErrors.NOT_COORDINATOR);
    assert.equal(byName.code, 16);
    assert.equal(byName.retriable, true);
    assert.equal(byName.name, "KafkaProtocolError");
    assert.equal(byName.message, "NOT_COORDINATOR: group g is elsewhere");

    const byEntry = new KafkaProtocolError(KafkaErrors.INVALID_REQUEST);
    assert.equal(byEntry.code, 42);
    assert.equal(byEntry.message, `INVALID_REQUEST: ${KafkaErrors.INVALID_REQUEST.message}`);
  });

  it("keeps the cause", () => {
    const cause = new Error("disk");
    assert.equal(new KafkaProtocolError("KAFKA_STORAGE_ERROR", undefined, { cause }).cause, cause);
  });
});
