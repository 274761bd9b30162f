/**
 * Main-thread CPU per file call: node:fs/promises' FileHandle against the real file
 * system's FdFile (env/fd-file.ts, node:fs's callback functions), for the two calls the
 * hot paths make: a fetch's pread of 8 KiB and an append's pwritev of 8 KiB, with 8 in
 * flight as over several partitions. The main thread's time is what limits a broker
 * on one event loop; the thread pool's share is the same either way. Alternating rounds,
 * medians. A script, not a test: record the numbers in docs/performance.md.
 *
 *   node --conditions=logbook-source --import tsx packages/storage/bench/file-calls.ts
 *     [--calls N] [--rounds R] [--json]
 */
import { readFileSync } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FdFile } from "../src/env/fd-file.js";
import type { FsFile } from "../src/env/fs.js";

const args = process.argv.slice(2);
const argNumber = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const CALLS = argNumber("--calls", 50_000);
const ROUNDS = argNumber("--rounds", 5);
const IN_FLIGHT = 8;
const SIZE = 8192;
const SPAN = SIZE * 1000;

/** User + system CPU of this process's main thread, in microseconds (clock ticks of 10 ms). */
function mainThreadCpuUs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function perCall(call: (i: number) => Promise<unknown>): Promise<number> {
  const before = mainThreadCpuUs();
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < CALLS; i++) {
    inFlight.push(call(i));
    if (inFlight.length === IN_FLIGHT) {
      await Promise.all(inFlight);
      inFlight.length = 0;
    }
  }
  await Promise.all(inFlight);
  return (mainThreadCpuUs() - before) / CALLS;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

const dir = await mkdtemp(join(tmpdir(), "logbook-file-calls-"));
try {
  const handle = await open(join(dir, "handle"), "w+");
  const fdFile = await FdFile.open(join(dir, "fd"), "w+");
  const variants: [string, Pick<FsFile, "read" | "writev">][] = [
    ["FileHandle", handle],
    ["FdFile", fdFile],
  ];
  const data = Buffer.alloc(SIZE, 1);
  const into = Buffer.alloc(SIZE);
  for (const [, f] of variants) for (let p = 0; p < SPAN; p += SIZE) await f.writev([data], p);
  const results: Record<string, { read: number[]; writev: number[] }> = Object.fromEntries(
    variants.map(([name]) => [name, { read: [], writev: [] }]),
  );
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, f] of round % 2 === 0 ? variants : [...variants].reverse()) {
      const r = results[name] as { read: number[]; writev: number[] };
      r.writev.push(await perCall((i) => f.writev([data], (i * SIZE) % SPAN)));
      r.read.push(await perCall((i) => f.read(into, 0, SIZE, (i * SIZE) % SPAN)));
    }
  }
  await handle.close();
  await fdFile.close();
  const summary = Object.fromEntries(
    Object.entries(results).map(([name, r]) => [
      name,
      { readUs: median(r.read), writevUs: median(r.writev) },
    ]),
  );
  if (args.includes("--json"))
    console.log(JSON.stringify({ calls: CALLS, rounds: ROUNDS, summary }));
  else {
    console.log(`main-thread CPU per call, ${SIZE} B, ${IN_FLIGHT} in flight, median of ${ROUNDS}`);
    for (const [name, s] of Object.entries(summary))
      console.log(
        `${name.padEnd(12)} read ${s.readUs.toFixed(1)} µs   writev ${s.writevUs.toFixed(1)} µs`,
      );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
