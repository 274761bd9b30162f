/**
 * The lint rule that keeps dependencies pointing one way
 * (testing -> broker -> group-coordinator -> storage -> protocol) must reject a backwards import.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIOME = join(ROOT, "node_modules/.bin/biome");

/** Lints a throwaway file placed in the given package (removed again at once). */
function lint(path: string, source: string): { ok: boolean; output: string } {
  const probe = path.replace(/\.ts$/, `-${process.pid}.ts`);
  writeFileSync(join(ROOT, probe), source);
  try {
    const r = spawnSync(BIOME, ["lint", probe], { cwd: ROOT, encoding: "utf8" });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(join(ROOT, probe), { force: true });
  }
}

const LAYERS = ["protocol", "storage", "group-coordinator", "broker", "testing"];

test("a lower layer importing a higher one fails lint", () => {
  for (let low = 0; low < LAYERS.length; low++) {
    for (let high = low + 1; high < LAYERS.length; high++) {
      const path = `packages/${LAYERS[low]}/src/lint-probe.ts`;
      const byName = lint(
        path,
        `import { x } from "@logbook/${LAYERS[high]}";\nexport const y = x;\n`,
      );
      assert.equal(byName.ok, false, `${path} may import @logbook/${LAYERS[high]}`);
      assert.match(byName.output, /noRestrictedImports/);
      const byPath = lint(
        path,
        `import { x } from "../../${LAYERS[high]}/src/index.js";\nexport const y = x;\n`,
      );
      assert.equal(byPath.ok, false, `${path} may import ../../${LAYERS[high]} by path`);
    }
  }
});

test("the client depends on the protocol only", () => {
  for (const other of ["storage", "group-coordinator", "broker", "testing"]) {
    const r = lint(
      "packages/client/src/lint-probe.ts",
      `import { x } from "@logbook/${other}";\nexport const y = x;\n`,
    );
    assert.equal(r.ok, false, `packages/client may import @logbook/${other}`);
  }
  const protocolToClient = lint(
    "packages/protocol/src/lint-probe.ts",
    'import { x } from "@logbook/client";\nexport const y = x;\n',
  );
  assert.equal(protocolToClient.ok, false, "packages/protocol may import @logbook/client");
  const clientToProtocol = lint(
    "packages/client/src/lint-probe.ts",
    'import { x } from "@logbook/protocol";\nexport const y = x;\n',
  );
  assert.equal(clientToProtocol.ok, true, clientToProtocol.output);
});

test("a higher layer importing a lower one passes lint", () => {
  const r = lint(
    "packages/broker/src/lint-probe.ts",
    'import { x } from "@logbook/protocol";\nexport const y = x;\n',
  );
  assert.equal(r.ok, true, r.output);
});
