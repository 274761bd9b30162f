import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  SERVER_ASSIGNORS,
  serverAssignorByName,
  serverAssignorsFromConfig,
} from "../src/assignors/index.js";

describe("server assignor registry", () => {
  it("lists uniform then range, Kafka's default order (uniform is the default)", () => {
    assert.deepEqual(
      SERVER_ASSIGNORS.map((a) => a.name),
      ["uniform", "range"],
    );
  });

  it("finds an assignor by name or Kafka class name, and nothing for others", () => {
    assert.equal(serverAssignorByName("range")?.name, "range");
    assert.equal(
      serverAssignorByName("org.apache.kafka.coordinator.group.assignor.UniformAssignor")?.name,
      "uniform",
    );
    assert.equal(serverAssignorByName("sticky"), undefined);
    assert.equal(serverAssignorByName("Range"), undefined);
  });

  it("reads group.consumer.assignors in order, first is the default", () => {
    const parsed = serverAssignorsFromConfig([
      " range",
      "org.apache.kafka.coordinator.group.assignor.UniformAssignor",
      "range",
    ]);
    assert.ok(parsed.ok);
    assert.deepEqual(
      parsed.assignors.map((a) => a.name),
      ["range", "uniform"],
    );
  });

  it("refuses an unknown assignor or an empty list with a message", () => {
    const unknown = serverAssignorsFromConfig(["uniform", "com.example.Mine"]);
    assert.ok(!unknown.ok);
    assert.match(unknown.message, /com\.example\.Mine/);
    const empty = serverAssignorsFromConfig([]);
    assert.ok(!empty.ok);
    assert.match(empty.message, /no server assignor/);
  });
});
