/**
 * Interop matrix, sarama column: github.com/IBM/sarama from the Go module proxy, pinned
 * in integration-tests/go/go.mod, driven by the Go program integration-tests/go/
 * saramadriver (built by ../go/sarama-driver.ts into integration-tests/go/.bin) with the
 * library's default protocol version, as most applications leave it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { before } from "node:test";
import { GO_MODULE } from "../go/go-driver.js";
import { sarama } from "../go/sarama-driver.js";
import { drivenMatrix, runDriver } from "./driven.js";

before(sarama.build);

/** The request files of sarama's source (one per API, e.g. join_group_request.go). */
function saramaRequests(): string[] {
  const r = spawnSync("go", ["list", "-m", "-f", "{{.Dir}}", "github.com/IBM/sarama"], {
    cwd: GO_MODULE,
    encoding: "utf8",
  });
  assert.equal(r.status, 0, `go list: ${r.stderr}`);
  return readdirSync(r.stdout.trim()).filter((f) => f.endsWith("_request.go"));
}

/** Every option of sarama.Config, by path ("Consumer.Group.Session.Timeout"). */
const configFields = async () =>
  (await runDriver("saramadriver", sarama.path, ["config-fields"])) as string[];

/** Sarama has neither the option nor the requests a feature needs. */
async function lacks(options: RegExp, requests: RegExp): Promise<void> {
  const fields = await configFields();
  assert.ok(fields.includes("Consumer.Group.Rebalance.GroupStrategies"), "the options read");
  assert.deepEqual(
    fields.filter((f) => f.startsWith("Consumer.") && options.test(f)),
    [],
  );
  const files = saramaRequests();
  assert.ok(files.includes("join_group_request.go"), "the request list read");
  assert.deepEqual(
    files.filter((f) => requests.test(f)),
    [],
  );
}

drivenMatrix({
  client: "sarama",
  src: "sarama",
  version: async () => String(await sarama.run(["version"])),
  run: (env, scenario, topic, extra) =>
    sarama.run([scenario, env.broker.bootstrap, topic, ...extra]),
  notSupported: {
    "group-consumer-protocol": {
      reason:
        "sarama 1.61.1 (the newest release on 2026-12-05) has no group.protocol=consumer: its consumer groups speak only the classic protocol (JoinGroup/SyncGroup), and it has no ConsumerGroupHeartbeat request (KIP-848)",
      probe: () => lacks(/protocol/i, /^consumer_group_heartbeat/),
    },
    "share-group": {
      reason:
        "sarama 1.61.1 (the newest release on 2026-12-05) has no share consumer: it implements none of the share-group APIs (KIP-932)",
      probe: () => lacks(/share/i, /^share_/),
    },
  },
});
