// Captures golden Produce requests from librdkafka (through kcat), one per compression codec.
//
//   apt-get install -y kcat            # Debian bookworm: kcat 1.7.1 with librdkafka 2.0.2
//   node --import tsx scripts/capture-librdkafka.ts
//
// Runs a throwaway responder on 127.0.0.1 built only from the generated codec (ApiVersions,
// Metadata for topic "golden" with one partition led by node 0, Produce answered with base
// offset 0), pipes a few lines into `kcat -P` once per codec and writes, per codec, to
// packages/protocol/test/fixtures/librdkafka/:
//   <codec>.produce.bin  the whole Produce request frame, INT32 size prefix included
//   <codec>.records.bin  the RECORDS bytes of the one partition
//   <codec>.json         what was sent (keys, values, headers) plus capture metadata
// A dev tool, not part of the test run. Record timestamps differ per run, so the bytes do too.

import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import {
  ApiVersionsApi,
  createMetadataResponseBroker as broker,
  decodeRequestHeader,
  encodeResponseHeader,
  MetadataApi,
  createMetadataResponsePartition as metadataPartition,
  createMetadataResponseTopic as metadataTopic,
  ProduceApi,
  createProduceResponsePartition as producePartition,
  createProduceResponseTopic as produceTopic,
  Reader,
  sizeResponseHeader,
  Writer,
} from "../packages/protocol/src/index.js";

const CODECS = ["none", "gzip", "snappy", "lz4", "zstd"] as const;
const TOPIC = "golden";
const HOST = "127.0.0.1";
const OUT_DIR = join(import.meta.dirname, "../packages/protocol/test/fixtures/librdkafka");

// Input lines for `kcat -K:` ("key:value"); with -Z an empty key or value is sent as null.
const LINES = [
  "k1:v1",
  "k2:hello, golden world",
  ":value with a null key",
  "tombstone:",
  `k5:${"abcdefgh".repeat(40)}`,
  "ключ:значение ✓",
];
// Each `-H` header goes on every message; "-H name" without '=' gives a null value.
const HEADERS: ReadonlyArray<readonly [string, string | null]> = [
  ["h1", "v1"],
  ["h2", ""],
  ["h3", null],
];

// librdkafka 2.0.x enables compression codecs only if Produce 0, 3 and 7, Fetch 4 and 10 and
// FindCoordinator 0 are inside the advertised ranges (shared/docs/client-api-versions.md).
const ADVERTISED = [
  { apiKey: ProduceApi.apiKey, minVersion: 0, maxVersion: 9 },
  { apiKey: 1, minVersion: 4, maxVersion: 12 }, // Fetch
  { apiKey: MetadataApi.apiKey, minVersion: 0, maxVersion: 12 },
  { apiKey: 10, minVersion: 0, maxVersion: 2 }, // FindCoordinator
  { apiKey: ApiVersionsApi.apiKey, minVersion: 0, maxVersion: 3 },
];

interface Session {
  port: number;
  produceFrames: Buffer[];
  client: string;
}

function respond(sock: Socket, correlationId: number, headerVersion: number, body: Buffer): void {
  const header = { correlationId };
  const w = Writer.alloc(4 + sizeResponseHeader(header, headerVersion) + body.length);
  w.int32(w.buf.length - 4);
  encodeResponseHeader(w, header, headerVersion);
  w.raw(body);
  sock.write(w.result());
}

function encodeWith<T>(
  codec: { size(v: T, version: number): number; encode(w: Writer, v: T, version: number): void },
  value: T,
  version: number,
): Buffer {
  const w = Writer.alloc(codec.size(value, version));
  codec.encode(w, value, version);
  return w.result();
}

/** Answers one request frame (size prefix included). */
function handle(sock: Socket, frame: Buffer, s: Session): void {
  const apiKey = frame.readInt16BE(4);
  const version = frame.readInt16BE(6);
  const r = new Reader(frame, 4);
  if (apiKey === ApiVersionsApi.apiKey) {
    const { correlationId } = decodeRequestHeader(r, ApiVersionsApi.requestHeaderVersion(version));
    const req = ApiVersionsApi.request.decode(r, version);
    if (req.clientSoftwareName !== "") {
      s.client = `${req.clientSoftwareName} ${req.clientSoftwareVersion}`;
    }
    const v = Math.min(version, 3); // newer versions would get UNSUPPORTED_VERSION in v0
    const res = ApiVersionsApi.response.create({ apiKeys: ADVERTISED.map((a) => ({ ...a })) });
    const body = encodeWith(ApiVersionsApi.response, res, v);
    respond(sock, correlationId, ApiVersionsApi.responseHeaderVersion(v), body);
  } else if (apiKey === MetadataApi.apiKey) {
    const { correlationId } = decodeRequestHeader(r, MetadataApi.requestHeaderVersion(version));
    const res = MetadataApi.response.create({
      brokers: [broker({ nodeId: 0, host: HOST, port: s.port, rack: null })],
      clusterId: "golden-cluster",
      controllerId: 0,
      topics: [
        metadataTopic({
          name: TOPIC,
          partitions: [
            metadataPartition({ partitionIndex: 0, leaderId: 0, replicaNodes: [0], isrNodes: [0] }),
          ],
        }),
      ],
    });
    const body = encodeWith(MetadataApi.response, res, version);
    respond(sock, correlationId, MetadataApi.responseHeaderVersion(version), body);
  } else if (apiKey === ProduceApi.apiKey) {
    const { correlationId } = decodeRequestHeader(r, ProduceApi.requestHeaderVersion(version));
    const req = ProduceApi.request.decode(r, version);
    s.produceFrames.push(Buffer.from(frame));
    if (req.acks === 0) return;
    const res = ProduceApi.response.create({
      responses: req.topicData.map((t) =>
        produceTopic({
          name: t.name,
          partitionResponses: t.partitionData.map((p) =>
            producePartition({ index: p.index, baseOffset: 0n, logStartOffset: 0n }),
          ),
        }),
      ),
    });
    const body = encodeWith(ProduceApi.response, res, version);
    respond(sock, correlationId, ProduceApi.responseHeaderVersion(version), body);
  } else {
    console.error(`  unexpected request: api key ${apiKey} v${version}; closing`);
    sock.destroy();
  }
}

function serve(s: Session): Promise<() => void> {
  const server = createServer((sock) => {
    let pending = Buffer.alloc(0);
    sock.on("data", (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const end = 4 + pending.readInt32BE(0);
        handle(sock, pending.subarray(0, end), s);
        pending = pending.subarray(end);
      }
    });
    sock.on("error", () => sock.destroy());
  });
  return new Promise((resolve) => {
    server.listen(0, HOST, () => {
      const addr = server.address();
      if (addr === null || typeof addr === "string") throw new Error("no TCP address");
      s.port = addr.port;
      resolve(() => server.close());
    });
  });
}

function kcatArgs(port: number, codec: string): string[] {
  const args = ["-P", "-b", `${HOST}:${port}`, "-t", TOPIC, "-z", codec, "-K:", "-Z"];
  for (const [k, v] of HEADERS) args.push("-H", v === null ? k : `${k}=${v}`);
  // One batch: wait for all lines; no idempotence so producer id/epoch/sequence stay -1.
  args.push("-X", "linger.ms=100", "-X", "enable.idempotence=false");
  return args;
}

function runKcat(args: string[], input: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("kcat", args, { stdio: ["pipe", "inherit", "inherit"] });
    const timer = setTimeout(() => child.kill(), 20_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code ?? -1);
    });
    child.stdin.end(input);
  });
}

/** What each input line becomes under -K: -Z. */
function expectedRecords() {
  const headers = HEADERS.map(([key, value]) => ({ key, value }));
  return LINES.map((line) => {
    const i = line.indexOf(":");
    const key = line.slice(0, i);
    const value = line.slice(i + 1);
    return { key: key === "" ? null : key, value: value === "" ? null : value, headers };
  });
}

const versionLine = spawnSync("kcat", ["-V"], { encoding: "utf8" }).stdout;
const librdkafka = /librdkafka ([\d.]+)/.exec(versionLine)?.[1] ?? "unknown";
const kcat = /Version ([\d.]+)/.exec(versionLine)?.[1] ?? "unknown";
console.log(`kcat ${kcat}, librdkafka ${librdkafka}`);
mkdirSync(OUT_DIR, { recursive: true });

for (const codec of CODECS) {
  const s: Session = { port: 0, produceFrames: [], client: "" };
  const close = await serve(s);
  const args = kcatArgs(s.port, codec);
  const code = await runKcat(args, `${LINES.join("\n")}\n`);
  close();
  const frame = s.produceFrames[0];
  if (code !== 0 || frame === undefined) {
    throw new Error(`${codec}: kcat exited ${code} after ${s.produceFrames.length} Produce frames`);
  }
  const r = new Reader(frame, 4);
  const header = decodeRequestHeader(r, ProduceApi.requestHeaderVersion(frame.readInt16BE(6)));
  const req = ProduceApi.request.decode(r, header.requestApiVersion);
  const records = req.topicData[0]?.partitionData[0]?.records;
  if (records == null) throw new Error(`${codec}: Produce request without records`);

  writeFileSync(join(OUT_DIR, `${codec}.produce.bin`), frame);
  writeFileSync(join(OUT_DIR, `${codec}.records.bin`), records);
  const meta = {
    codec,
    librdkafka,
    kcat,
    clientSoftware: s.client,
    produceVersion: header.requestApiVersion,
    clientId: header.clientId,
    command: `kcat ${args.join(" ")}`.replace(`${HOST}:${s.port}`, `${HOST}:<port>`),
    input: LINES,
    records: expectedRecords(),
  };
  writeFileSync(join(OUT_DIR, `${codec}.json`), `${JSON.stringify(meta, null, 2)}\n`);
  console.log(
    `${codec.padEnd(6)} Produce v${header.requestApiVersion} (${s.produceFrames.length} request(s)), ` +
      `frame ${frame.length} B, records ${records.length} B, ` +
      `attributes 0x${records.readInt16BE(21).toString(16)}, ${records.readInt32BE(57)} records, ` +
      `acks ${req.acks}, client ${s.client || header.clientId}`,
  );
}
