/**
 * The benchmark's ceiling: the least a Node.js server has to do to take Kafka produce
 * requests from a real client, keep the bytes and serve them back, so that Logbook's
 * figures can be read as a fraction of what Node itself allows on the same machine in
 * the same run.
 *
 * Per connection it splits the stream into frames (the protocol package's
 * FrameDecoder, as Logbook does), answers in request order, and:
 * - Produce v3-v8: patches each batch's base offset and appends the records field, as
 *   it sits in the request frame, to the partition's file, then acknowledges (after the
 *   write completes, whatever acks says; acks=0 gets no response). No CRC check, no
 *   validation, no idempotence, no fsync.
 * - Fetch v4-v11: reads whole batches from the file at the requested offset (one read
 *   per partition into a fresh buffer) and writes them after a hand-built header; waits
 *   for an append while fewer than min_bytes are available, up to max_wait_ms. No fetch
 *   sessions (every fetch is a full one), no transactions.
 * - Control APIs (ApiVersions, Metadata, CreateTopics, ListOffsets, and the group APIs
 *   kafkajs needs for a one-member group) through Logbook's codec (control.ts).
 *
 * Usage: ceiling-server.ts --port 0 --data-dir DIR; prints
 * "ceiling ready on HOST:PORT" on stdout.
 */
import { mkdir } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { FrameDecoder } from "../../packages/protocol/src/index.js";
import { CONTROL, type ControlState, unsupported } from "./control.js";
import { FETCH_VERSIONS, handleFetch, handleProduce, PRODUCE_VERSIONS } from "./data-path.js";
import { PartitionFile } from "./partition-file.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const dataDir = arg("--data-dir", "./ceiling-data");
const host = "127.0.0.1";
const topics = new Map<string, PartitionFile[]>();
// Concurrent Metadata requests may auto-create the same topic: create it once.
const creating = new Map<string, Promise<void>>();
async function createFiles(name: string, partitions: number): Promise<void> {
  const dir = join(dataDir, encodeURIComponent(name));
  await mkdir(dir, { recursive: true });
  const files: PartitionFile[] = [];
  for (let p = 0; p < partitions; p++)
    files.push(await PartitionFile.create(join(dir, `${p}.log`)));
  topics.set(name, files);
}
const state: ControlState = {
  host,
  port: 0,
  topics,
  createTopic(name, partitions) {
    let pending = creating.get(name);
    if (pending === undefined) {
      pending = createFiles(name, partitions);
      creating.set(name, pending);
    }
    return pending;
  },
};
const lookup = (topic: string, partition: number): PartitionFile | undefined =>
  topics.get(topic)?.[partition];

async function answer(frame: Buffer): Promise<Buffer[]> {
  const apiKey = frame.readInt16BE(0);
  const version = frame.readInt16BE(2);
  if (apiKey === 0 && version >= PRODUCE_VERSIONS.min && version <= PRODUCE_VERSIONS.max)
    return handleProduce(frame, lookup);
  if (apiKey === 1 && version >= FETCH_VERSIONS.min && version <= FETCH_VERSIONS.max)
    return handleFetch(frame, lookup);
  const control = CONTROL.get(apiKey);
  if (control !== undefined && version >= control.min && version <= control.max)
    return [await control.handle(frame, state)];
  const refusal = unsupported(apiKey, version, frame.readInt32BE(4));
  if (refusal === null) throw new Error(`unsupported API ${apiKey} v${version}`);
  return [refusal];
}

function serve(socket: Socket): void {
  socket.setNoDelay(true);
  const decoder = new FrameDecoder();
  // Responses leave in request order, as the protocol requires.
  const slots: { parts: Buffer[] | null }[] = [];
  const flush = (): void => {
    socket.cork();
    while (slots.length > 0 && slots[0]?.parts !== null) {
      for (const part of (slots.shift() as { parts: Buffer[] }).parts) socket.write(part);
    }
    socket.uncork();
  };
  socket.on("data", (chunk: Buffer) => {
    const { frames, error } = decoder.push(chunk);
    for (const frame of frames) {
      const slot: { parts: Buffer[] | null } = { parts: null };
      slots.push(slot);
      answer(frame).then(
        (parts) => {
          slot.parts = parts;
          flush();
        },
        (e: unknown) => {
          process.stderr.write(`ceiling: ${e instanceof Error ? e.message : String(e)}\n`);
          socket.destroy();
        },
      );
    }
    if (error !== undefined) socket.destroy();
  });
  socket.on("error", () => socket.destroy());
}

await mkdir(dataDir, { recursive: true });
const server = createServer(serve);
server.listen(Number(arg("--port", "0")), host, () => {
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  state.port = address.port;
  process.stdout.write(`ceiling ready on ${host}:${address.port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
