/**
 * The web console end to end in headless Chromium (Debian's, driven by playwright-core):
 * served by the broker itself (`--console-port`, read-only) and by `logbook console
 * --allow-writes` against the same broker; every page is clicked through and what it
 * shows is checked against what kafkajs wrote and committed.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { after, before, test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { type Browser, chromium, type Page } from "playwright-core";
import { killOnExit } from "../scripts/kill-on-exit.js";
import {
  type BrokerProcess,
  CLI_PATH,
  REPO_ROOT,
  removeDir,
  startBroker,
} from "./helpers/broker-process.js";
import { FAST_CONSUMER, GROUP_BROKER } from "./helpers/groups.js";
import { freePort } from "./helpers/kafka-process.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

let broker: BrokerProcess;
let consoleUrl: string;
let browser: Browser;
let writable: ChildProcess | undefined;

before(async () => {
  const port = await freePort();
  consoleUrl = `http://127.0.0.1:${port}/`;
  broker = await startBroker({
    ...GROUP_BROKER,
    args: ["--console-port", String(port), "-o", "console.lag.sample.ms=200"],
  });
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "orders", numPartitions: 2 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: "orders",
    messages: Array.from({ length: 10 }, (_, i) => ({
      partition: i % 2,
      key: `order-${i}`,
      value: JSON.stringify({ id: i, total: i * 10 }),
      headers: { source: "web" },
    })),
  });
  await producer.disconnect();
  // A group that read everything but committed offset 3 of each partition: lag 2 + 2.
  const consumer = kafka.consumer({ groupId: "billing", ...FAST_CONSUMER });
  await consumer.connect();
  await consumer.subscribe({ topic: "orders", fromBeginning: true });
  let read = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (message.offset === "2")
          await consumer.commitOffsets([{ topic: "orders", partition, offset: "3" }]);
        if (++read === 10) resolve();
      },
    });
  });
  await consumer.disconnect();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
});

after(async () => {
  await browser?.close();
  writable?.kill("SIGTERM");
  await broker?.stop();
  if (broker !== undefined) await removeDir(broker.dataDir);
});

async function open(url: string): Promise<Page> {
  const page = await browser.newPage();
  page.on("pageerror", (e) => assert.fail(`page error: ${e.message}`));
  await page.goto(url);
  return page;
}

/** The rows of a table (data-testid) as text cells, once it has at least `min` rows. */
async function rows(page: Page, testid: string, min = 1): Promise<string[][]> {
  await page.waitForSelector(`[data-testid="${testid}"] tbody tr:nth-child(${min})`);
  return page.$$eval(`[data-testid="${testid}"] tbody tr`, (trs) =>
    trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => (td.textContent ?? "").trim())),
  );
}

/** Waits until `selector`'s text passes `ok` (polling from Node: no DOM types here). */
async function waitText(
  page: Page,
  selector: string,
  ok: (text: string) => boolean,
): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const text = (await page.textContent(selector).catch(() => null)) ?? "";
    if (ok(text)) return text;
    if (Date.now() > deadline) assert.fail(`${selector}: "${text}" after 15 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("topics, a topic's partitions and configs, and the message browser as text, JSON and hex", async () => {
  const page = await open(consoleUrl);
  assert.deepEqual(await rows(page, "topics"), [["orders", "2", "1"]]);
  assert.match((await page.textContent("#cluster")) ?? "", /read-only/);

  await page.click("text=orders");
  const partitions = await rows(page, "partitions", 2);
  assert.deepEqual(
    partitions.map((r) => [r[0], r[2], r[3], r[4]]),
    [
      ["0", "0", "5", "5"],
      ["1", "0", "5", "5"],
    ],
  );
  assert.ok(
    partitions.every((r) => Number(r[5]) > 0),
    "sizes",
  );
  const configs = await rows(page, "configs");
  assert.ok(
    configs.some(
      (r) => r[0] === "cleanup.policy" && r[1] === "delete" && r[2] === "DEFAULT_CONFIG",
    ),
  );
  assert.equal(await page.$('[data-testid="produce"]'), null, "read-only: no produce form");

  await page.selectOption('[data-testid="browse"] select[name="partition"]', "1");
  await page.fill('[data-testid="browse"] input[name="offset"]', "2");
  await page.click('[data-testid="browse"] button');
  const records = await rows(page, "records", 3);
  assert.deepEqual(
    records.map((r) => [r[0], r[1], r[3], r[4], r[5]]),
    [
      ["1", "2", "order-5", '{"id":5,"total":50}', "source=web"],
      ["1", "3", "order-7", '{"id":7,"total":70}', "source=web"],
      ["1", "4", "order-9", '{"id":9,"total":90}', "source=web"],
    ],
  );
  await page.selectOption('[data-testid="browse"] select[name="format"]', "json");
  await page.click('[data-testid="browse"] button');
  await waitText(page, '[data-testid="records"] tbody tr td:nth-child(5) pre', (t) =>
    t.includes('\n  "id": 5'),
  );
  await page.selectOption('[data-testid="browse"] select[name="format"]', "hex");
  await page.click('[data-testid="browse"] button');
  await waitText(page, '[data-testid="records"] tbody tr td:nth-child(4) pre', (t) =>
    t.startsWith("6f 72 64 65 72 2d 35"),
  );
  // From a timestamp after the last record: nothing.
  await page.selectOption('[data-testid="browse"] select[name="from"]', "timestamp");
  await page.fill('[data-testid="browse"] input[name="timestamp"]', "2099-01-01T00:00:00");
  await page.click('[data-testid="browse"] button');
  await waitText(page, '[data-testid="records"] tbody', (t) => t === "");
  await page.close();
});

test("a consumer group's lag per partition, from offsets, and its lag over time", async () => {
  const page = await open(`${consoleUrl}#/groups`);
  assert.deepEqual(await rows(page, "groups"), [["billing", "classic", "Empty"]]);
  await page.click("text=billing");
  assert.match(
    (await page.textContent('[data-testid="group-summary"]')) ?? "",
    /classic · Empty · 0 members · total lag 4/,
  );
  assert.deepEqual(
    (await rows(page, "lag", 2)).map((r) => r.slice(0, 5)),
    [
      ["orders", "0", "3", "5", "2"],
      ["orders", "1", "3", "5", "2"],
    ],
  );
  // The console samples lag every 200 ms here: after a moment the chart has a line.
  await new Promise((r) => setTimeout(r, 1000));
  await page.reload();
  const points = await page.getAttribute('[data-testid="lag-chart"] polyline', "points");
  assert.ok((points ?? "").split(" ").length >= 2, `points: ${points}`);
  await page.close();
});

test("brokers: the broker, its features and its settings", async () => {
  const page = await open(`${consoleUrl}#/brokers`);
  const brokers = await rows(page, "brokers");
  assert.deepEqual(brokers, [["0 (controller)", "127.0.0.1", String(broker.port), "-"]]);
  const features = await rows(page, "features");
  assert.ok(features.some((r) => r[0] === "metadata.version"));
  const settings = await rows(page, "settings");
  assert.ok(settings.some((r) => r[0] === "log.retention.ms" && r[1] === "604800000"));
  // Writes are refused by the API too, not only hidden.
  const status = await page.evaluate(
    async () => (await fetch("/api/groups/billing/seek", { method: "POST", body: "{}" })).status,
  );
  assert.equal(status, 403);
  await page.close();
});

test("logbook console --allow-writes: produce from the page, reset a group's offsets with a dry run first", async () => {
  const port = await freePort();
  writable = killOnExit(
    spawn(
      process.execPath,
      [CLI_PATH, "console", "-b", broker.bootstrap, "--port", String(port), "--allow-writes"],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, LOGBOOK_PROFILES: "/nonexistent/profiles.yaml" },
      },
    ),
  );
  const ready = await new Promise<string>((resolve, reject) => {
    writable?.stdout?.on("data", (d: Buffer) => resolve(d.toString()));
    writable?.once("exit", (code) => reject(new Error(`logbook console exited with ${code}`)));
  });
  assert.match(
    ready,
    new RegExp(
      `^logbook console on http://127\\.0\\.0\\.1:${port}/ \\(cluster ${broker.bootstrap}\\)`,
    ),
  );
  const base = `http://127.0.0.1:${port}/`;

  const page = await open(`${base}#/topics/orders`);
  await page.fill('[data-testid="produce"] input[name="key"]', "order-10");
  await page.fill('[data-testid="produce"] input[name="value"]', "from the console");
  await page.fill('[data-testid="produce"] input[name="partition"]', "0");
  await page.click('[data-testid="produce"] button');
  await waitText(
    page,
    '[data-testid="produced"]',
    (t) => t === "written to partition 0 at offset 5",
  );
  await page.fill('[data-testid="browse"] input[name="offset"]', "5");
  await page.click('[data-testid="browse"] button');
  assert.deepEqual(
    (await rows(page, "records")).map((r) => [r[1], r[3], r[4]]),
    [["5", "order-10", "from the console"]],
  );

  await page.goto(`${base}#/groups/billing`);
  await page.waitForSelector('[data-testid="seek"]');
  await page.fill('[data-testid="seek"] input[name="to"]', "end");
  await page.click('[data-testid="seek"] button');
  await waitText(page, '[data-testid="seeked"]', (t) => t.includes("DRY-RUN"));
  assert.equal(
    await page.textContent('[data-testid="seeked"]'),
    "orders-0: 3 -> 6 DRY-RUN; orders-1: 3 -> 5 DRY-RUN",
  );
  await page.uncheck('[data-testid="seek"] input[name="dryRun"]');
  await page.click('[data-testid="seek"] button');
  await waitText(page, '[data-testid="seeked"]', (t) => t.endsWith("OK"));
  await page.reload();
  assert.match((await page.textContent('[data-testid="group-summary"]')) ?? "", /total lag 0/);
  await page.close();
});
