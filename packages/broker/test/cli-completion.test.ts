import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { CLI_PATH } from "../../../integration-tests/helpers/broker-process.js";

/** What bash completes for `logbook <typed> <current>`, through the real script and CLI. */
function bashComplete(typed: string[], current: string): string[] {
  const words = ["logbook", ...typed, current].map((w) => `'${w}'`).join(" ");
  const script = [
    `logbook() { "${process.execPath}" "${CLI_PATH}" "$@"; }`,
    'eval "$(logbook completion bash)"',
    `COMP_WORDS=(${words}); COMP_CWORD=${typed.length + 1}`,
    "_logbook_complete",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion, not a template
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join("\n");
  const r = spawnSync("bash", ["-c", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout
    .split("\n")
    .filter((l) => l !== "")
    .sort();
}

test("bash completes commands, subcommands and options from the command tree", () => {
  assert.deepEqual(bashComplete([], "to"), ["topic"]);
  assert.deepEqual(bashComplete(["topic"], "a"), ["add-partitions", "alter-config"]);
  assert.deepEqual(bashComplete(["topic", "create"], "--rep"), ["--replicas"]);
  assert.deepEqual(bashComplete(["group"], "s"), ["seek"]);
  assert.ok(bashComplete(["consume"], "--").includes("--follow"));
});

test("zsh gets a script, an unknown shell a usage error", () => {
  const zsh = spawnSync(process.execPath, [CLI_PATH, "completion", "zsh"], { encoding: "utf8" });
  assert.equal(zsh.status, 0);
  assert.match(zsh.stdout, /^# logbook completion for zsh/);
  assert.match(zsh.stdout, /compdef _logbook logbook/);
  const fish = spawnSync(process.execPath, [CLI_PATH, "completion", "fish"], { encoding: "utf8" });
  assert.equal(fish.status, 2);
  assert.match(fish.stderr, /no completion for fish: bash or zsh/);
});
