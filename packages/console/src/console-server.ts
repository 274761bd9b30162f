/**
 * The console: a JSON API over a Kafka client and the static page that uses it, on one
 * node:http server. Read-only unless `allowWrites`, which adds producing a record and
 * moving a group's offsets (the API refuses both with 403 otherwise).
 */
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import {
  type ClientOptions,
  clusterInfo,
  deleteGroups,
  describeBrokerConfigs,
  describeGroup,
  describeTopic,
  describeTopicConfigs,
  KafkaClient,
  KafkaError,
  listGroups,
  listTopics,
  Producer,
  type SeekTarget,
  seekGroup,
} from "@logbook/client";
import { LagHistory } from "./lag-history.js";
import { browse } from "./messages.js";

export interface ConsoleOptions {
  /** The cluster: bootstrap servers and client settings. */
  readonly client: ClientOptions;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Producing and moving offsets from the page. */
  readonly allowWrites: boolean;
  /** How often group lag is sampled for the chart (ms). */
  readonly lagSampleMs?: number;
  /** Errors the console could not answer with, for the caller's log. */
  readonly onError?: (e: unknown) => void;
}

/**
 * The page's files ship in the package's ui/ folder. Found through the package's own name,
 * not relative to this module, so that the logbook CLI's bundle, which inlines this module,
 * finds them too (resolved on the first page served).
 */
let uiDir: string | undefined;
function uiFile(name: string): string {
  uiDir ??= dirname(createRequire(import.meta.url).resolve("@logbook/console/ui/index.html"));
  return join(uiDir, name);
}
const UI_FILES: Record<string, string> = {
  "/": "index.html",
  "/app.js": "app.js",
  "/style.css": "style.css",
};
const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_PAGE = 500;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** JSON with 64-bit integers as numbers where exact, else strings. */
function json(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    typeof v === "bigint"
      ? v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(v)
        : v.toString()
      : v,
  );
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "request body too large");
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "the body is not JSON");
  }
}

function field(body: unknown, name: string): unknown {
  return typeof body === "object" && body !== null
    ? (body as Record<string, unknown>)[name]
    : undefined;
}

function seekTargetOf(body: unknown): SeekTarget {
  const to = field(body, "to");
  if (to === "start" || to === "end") return { to };
  if (typeof to === "string" && /^\d+$/.test(to)) return { to: "offset", offset: BigInt(to) };
  if (typeof to === "string" && /^@\d+$/.test(to)) return { to: "time", ms: BigInt(to.slice(1)) };
  throw new HttpError(400, 'to must be "start", "end", an offset or "@<ms>"');
}

export class ConsoleServer {
  private client: Promise<KafkaClient> | null = null;
  private readonly history = new LagHistory(720);
  private sampler: NodeJS.Timeout | undefined;

  private constructor(
    private readonly server: Server,
    private readonly options: ConsoleOptions,
    readonly address: { host: string; port: number },
  ) {}

  static async start(options: ConsoleOptions): Promise<ConsoleServer> {
    let self: ConsoleServer | undefined;
    const server = createServer((req, res) => {
      void self?.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const a = server.address();
    const port = typeof a === "object" && a !== null ? a.port : options.port;
    self = new ConsoleServer(server, options, { host: options.host, port });
    self.sampler = setInterval(() => void self?.sampleLag(), options.lagSampleMs ?? 5000);
    self.sampler.unref();
    void self.sampleLag();
    return self;
  }

  get url(): string {
    const host = this.address.host.includes(":") ? `[${this.address.host}]` : this.address.host;
    return `http://${host}:${this.address.port}/`;
  }

  /** One client for the console's life, reopened after a failure. */
  private kafka(): Promise<KafkaClient> {
    if (this.client === null) {
      this.client = KafkaClient.connect(this.options.client);
      this.client.catch(() => {
        this.client = null;
      });
    }
    return this.client;
  }

  private async sampleLag(): Promise<void> {
    try {
      const client = await this.kafka();
      const at = Date.now();
      for (const g of await listGroups(client)) {
        if (g.type === "share") continue;
        const d = await describeGroup(client, g.group);
        this.history.add(g.group, { at, lag: Number(d.totalLag) });
      }
    } catch (e) {
      this.dropClientOn(e);
    }
  }

  private dropClientOn(e: unknown): void {
    if (!(e instanceof KafkaError)) {
      const old = this.client;
      this.client = null;
      void old?.then((c) => c.close()).catch(() => undefined);
    }
    this.options.onError?.(e);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://console");
    try {
      const ui = UI_FILES[url.pathname];
      if (req.method === "GET" && ui !== undefined) {
        const body = await readFile(uiFile(ui));
        res
          .writeHead(200, { "content-type": TYPES[ui.split(".").pop() ?? ""] ?? "text/plain" })
          .end(body);
        return;
      }
      if (!url.pathname.startsWith("/api/")) throw new HttpError(404, "not found");
      const answer = await this.api(req, url);
      res.writeHead(200, { "content-type": "application/json" }).end(json(answer));
    } catch (e) {
      const status = e instanceof HttpError ? e.status : e instanceof KafkaError ? 502 : 500;
      if (status >= 500) this.dropClientOn(e);
      res
        .writeHead(status, { "content-type": "application/json" })
        .end(json({ error: e instanceof Error ? e.message : String(e) }));
    }
  }

  private async api(req: IncomingMessage, url: URL): Promise<unknown> {
    const parts = url.pathname.split("/").slice(2).map(decodeURIComponent);
    const [kind, name, sub] = parts;
    const client = await this.kafka();
    if (req.method === "GET") {
      if (kind === "cluster" && name === undefined) {
        const info = await clusterInfo(client);
        const settings =
          info.brokers[0] === undefined
            ? []
            : await describeBrokerConfigs(client, info.brokers[0].id);
        return { ...info, settings, writable: this.options.allowWrites };
      }
      if (kind === "topics" && name === undefined)
        return listTopics(client, url.searchParams.has("internal"));
      if (kind === "topics" && name !== undefined && sub === undefined) {
        const [topic, configs] = await Promise.all([
          describeTopic(client, name),
          describeTopicConfigs(client, name),
        ]);
        return { ...topic, configs };
      }
      if (kind === "topics" && name !== undefined && sub === "messages")
        return browse(client, this.browseRequest(name, url));
      if (kind === "groups" && name === undefined) return listGroups(client);
      if (kind === "groups" && name !== undefined && sub === undefined)
        return { ...(await describeGroup(client, name)), lagHistory: this.history.of(name) };
      throw new HttpError(404, "no such API");
    }
    if (req.method === "POST") {
      if (!this.options.allowWrites)
        throw new HttpError(403, "the console is read-only (start it with writes allowed)");
      const body = await readBody(req);
      if (kind === "topics" && name !== undefined && sub === "messages") {
        const text = (k: string) => {
          const v = field(body, k);
          return v === undefined || v === null ? null : Buffer.from(String(v));
        };
        const partition = field(body, "partition");
        const producer = await Producer.create(client, name, {
          acks: -1,
          compression: 0,
          idempotent: true,
          retries: 3,
        });
        await producer.send([
          {
            key: text("key"),
            value: text("value"),
            ...(typeof partition === "number" ? { partition } : {}),
          },
        ]);
        return producer.summary();
      }
      if (kind === "groups" && name !== undefined && sub === "seek")
        return seekGroup(client, name, seekTargetOf(body), null, field(body, "dryRun") === true);
      if (kind === "groups" && name !== undefined && sub === "delete")
        return deleteGroups(client, [name]);
    }
    throw new HttpError(404, "no such API");
  }

  private browseRequest(topic: string, url: URL) {
    const q = url.searchParams;
    const int = (k: string): number | undefined => {
      const v = q.get(k);
      if (v === null || v === "") return undefined;
      if (!/^\d+$/.test(v)) throw new HttpError(400, `${k} must be a whole number`);
      return Number(v);
    };
    const offset = q.get("offset");
    if (offset !== null && offset !== "" && !/^\d+$/.test(offset))
      throw new HttpError(400, "offset must be a whole number");
    const timestamp = int("timestamp");
    return {
      topic,
      partition: int("partition") ?? 0,
      ...(offset !== null && offset !== "" ? { offset: BigInt(offset) } : {}),
      ...(timestamp === undefined ? {} : { timestamp }),
      limit: Math.min(int("limit") ?? 50, MAX_PAGE),
    };
  }

  async close(): Promise<void> {
    clearInterval(this.sampler);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    const c = this.client;
    this.client = null;
    await c?.then((k) => k.close()).catch(() => undefined);
  }
}
