/**
 * Interop matrix, franz-go column: github.com/twmb/franz-go (kgo, kadm) from the Go
 * module proxy, pinned in integration-tests/go/go.mod, driven by the Go program
 * integration-tests/go/franzdriver (built by ../go/franz-driver.ts into
 * integration-tests/go/.bin).
 */
import { before } from "node:test";
import { buildFranzDriver, runFranz as driver } from "../go/franz-driver.js";
import { drivenMatrix } from "./driven.js";

before(buildFranzDriver);

drivenMatrix({
  client: "franz-go",
  src: "franz-go",
  version: async () => String(await driver(["version"])),
  run: (env, scenario, topic, extra) => driver([scenario, env.broker.bootstrap, topic, ...extra]),
});
