/** `logbook start` as a process: ready line, logs, configuration sources, clean stop. */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { ApiVersionsApi, createApiVersionsRequest, ErrorCode } from "@logbook/protocol";
import {
  removeDir,
  runCli,
  startBroker,
  tempDir,
} from "../../../integration-tests/helpers/broker-process.js";
import { WireClient } from "../../../integration-tests/helpers/wire-client.js";
import { BROKER_SETTINGS, envVarName } from "../src/config/schema.js";

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test("start on --port 0: one ready line with the real port, JSON logs, SIGTERM exits 0", async () => {
  const b = await startBroker();
  assert.match(b.readyLine, /^logbook ready on 127\.0\.0\.1:\d+ \(data .+\)$/);
  assert.notEqual(b.port, 0);
  assert.ok(b.readyLine.endsWith(`(data ${b.dataDir})`));
  const c = await WireClient.connect(b.port);
  const r = await c.request(ApiVersionsApi, 0, createApiVersionsRequest());
  assert.equal(r.body.errorCode, ErrorCode.NONE);
  c.close();
  assert.equal(await b.stop(), 0);
  assert.equal(b.stdout(), `${b.readyLine}\n`, "stdout holds the ready line only");
  const logs = jsonLines(b.stderr());
  assert.ok(logs.every((l) => typeof l.time === "string" && typeof l.level === "string"));
  assert.ok(
    logs.some((l) => l.msg === "stopped"),
    "clean stop logged",
  );
  await removeDir(b.dataDir);
});

test("SIGINT stops cleanly too, and a restart on the same data dir works", async () => {
  const dir = await tempDir();
  const first = await startBroker({ dataDir: dir });
  process.kill(first.pid, "SIGINT");
  assert.equal((await first.exited).code, 0);
  const second = await startBroker({ dataDir: dir });
  assert.equal(await second.stop(), 0);
  await removeDir(dir);
});

test("configuration sources reach the process: flag > env > file", async () => {
  const dir = await tempDir();
  const file = join(dir, "server.properties");
  await writeFile(
    file,
    `# a Kafka-style file\nlog.dirs=${join(dir, "from-file")}\nport=0\nno.such.setting=1\nnum.io.threads=8\n`,
  );
  const fromFile = await startBroker({ bare: true, args: ["--config", file] });
  assert.ok(fromFile.readyLine.endsWith(`(data ${join(dir, "from-file")})`));
  assert.equal(await fromFile.stop(), 0);
  const warn = jsonLines(fromFile.stderr()).find((l) => l.level === "warn");
  assert.match(String(warn?.msg), /unknown property "no.such.setting"/);

  const fromEnv = await startBroker({
    bare: true,
    args: ["--config", file],
    env: { LOGBOOK_DATA_DIR: join(dir, "from-env") },
  });
  assert.ok(fromEnv.readyLine.endsWith(`(data ${join(dir, "from-env")})`));
  assert.equal(await fromEnv.stop(), 0);

  const fromFlag = await startBroker({
    bare: true,
    args: ["--config", file, "--data-dir", join(dir, "from-flag"), "--log-level", "error"],
    env: { LOGBOOK_DATA_DIR: join(dir, "from-env") },
  });
  assert.ok(fromFlag.readyLine.endsWith(`(data ${join(dir, "from-flag")})`));
  assert.equal(await fromFlag.stop(), 0);
  assert.equal(fromFlag.stderr(), "", "--log-level error hides info and warnings");
  await removeDir(dir);
});

test("a bad setting or a busy port exits non-zero with a message", async () => {
  const bad = await runCli(["start", "--port", "99999"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--port: invalid port/);
  assert.equal(bad.stdout, "");

  const missing = await runCli(["start", "--config", "/nonexistent/x.properties"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read config file/);

  const b = await startBroker();
  const busy = await runCli(["start", "--port", String(b.port), "--data-dir", await tempDir()]);
  assert.equal(busy.code, 1);
  assert.match(busy.stderr, /broker failed to start/);
  assert.equal(await b.stop(), 0);
  await removeDir(b.dataDir);
});

test("--help lists every flag of the schema with its default and environment variable", async () => {
  const help = await runCli(["start", "--help"]);
  assert.equal(help.code, 0);
  const text = help.stdout.replace(/\s+/g, " ");
  const flagged = BROKER_SETTINGS.filter((s) => s.flag !== undefined);
  assert.ok(flagged.length >= 5);
  for (const s of flagged) {
    assert.ok(text.includes(`${s.flag} <value>`), `${s.name}: flag`);
    assert.ok(text.includes(`env ${envVarName(s.name)}`), `${s.name}: env var`);
    assert.ok(text.includes(`default ${s.defaultText.replace(/\s+/g, " ")}`), `${s.name}: default`);
  }
});

test("listener mistakes stop start-up with Kafka's message; a keystore that does not load too", async () => {
  const cases: [string[], RegExp][] = [
    [["-o", "listeners=PLAINTEXT://:0,PLAINTEXT://:0"], /Each listener must have a different name/],
    [["-o", "listeners=BAD"], /invalid listeners: "BAD" is not NAME:\/\/host:port/],
    [
      ["-o", "listeners=PLAINTEXT://:0,INTERNAL://:0"],
      /No security protocol defined for listener INTERNAL/,
    ],
    [["-o", "listeners=SASL_SSL://:0"], /SASL mechanism GSSAPI is not served/],
    [["-o", "listeners=SSL://:0"], /SSL listener SSL has no key/],
    [
      [
        "-o",
        "listeners=SSL://:0",
        "-o",
        "ssl.keystore.location=/k.jks",
        "-o",
        "ssl.keystore.type=JKS",
      ],
      /ssl.keystore.type=JKS is not supported/,
    ],
  ];
  for (const [args, pattern] of cases) {
    const r = await runCli(["start", "--data-dir", "memory:", ...args]);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, pattern);
    assert.equal(r.stdout, "");
  }
  const dir = await tempDir();
  const unreadable = await runCli([
    "start",
    "--data-dir",
    dir,
    "-o",
    "listeners=SSL://127.0.0.1:0",
    "-o",
    `ssl.keystore.location=${join(dir, "missing.pem")}`,
  ]);
  assert.equal(unreadable.code, 1);
  assert.match(
    unreadable.stderr,
    /broker failed to start.*cannot read ssl.keystore.location .*missing.pem/,
  );
  await writeFile(
    join(dir, "bad.pem"),
    "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
  );
  const broken = await runCli([
    "start",
    "--data-dir",
    dir,
    "-o",
    "listeners=SSL://127.0.0.1:0",
    "-o",
    `ssl.keystore.location=${join(dir, "bad.pem")}`,
  ]);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /broker failed to start.*bad.pem: no PEM certificate found/);
  await removeDir(dir);
});
