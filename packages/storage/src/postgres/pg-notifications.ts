import pg from "pg";
import type { Clock } from "../env/clock.js";
import type { Logger } from "../logger.js";
import { REWRITTEN } from "./pg-compaction.js";

const CHANNEL = "logbook_append";
const RECONNECT_MS = 500;

/**
 * One connection LISTENing for appends (`<partition id> <new end offset>`), made by any
 * broker over the database, this one included, and for compaction swaps (the same with
 * ` rewritten` after). When the connection drops it reconnects
 * and says so, since notifications sent meanwhile are lost.
 */
export class AppendListener {
  private client: pg.Client | null = null;
  private closed = false;
  private readonly appendHandlers: ((id: string, end: number) => void)[] = [];
  private readonly reconnectHandlers: (() => void)[] = [];
  private readonly rewriteHandlers: ((id: string) => void)[] = [];

  private constructor(
    private readonly connectionString: string,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  static async start(
    connectionString: string,
    logger: Logger,
    clock: Clock,
  ): Promise<AppendListener> {
    const listener = new AppendListener(connectionString, logger, clock);
    await listener.connect();
    return listener;
  }

  onAppend(handler: (id: string, end: number) => void): void {
    this.appendHandlers.push(handler);
  }

  /** A compaction replaced rows of the partition's closed segments (pg-compaction.ts). */
  onRewrite(handler: (id: string) => void): void {
    this.rewriteHandlers.push(handler);
  }

  onReconnect(handler: () => void): void {
    this.reconnectHandlers.push(handler);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => {});
    this.client = null;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.connectionString.replace(/^postgresql:/, "postgres:"),
      application_name: "logbook-listen",
    });
    client.on("notification", (n) => {
      const [id, end, what] = (n.payload ?? "").split(" ");
      if (id === undefined || end === undefined) return;
      if (what === REWRITTEN) for (const h of this.rewriteHandlers) h(id);
      else for (const h of this.appendHandlers) h(id, Number(end));
    });
    let lost = false;
    const onLost = (e?: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = null;
      if (this.closed) return;
      this.logger.warn("PostgreSQL notification connection lost; reconnecting", {
        error: e?.message ?? "closed",
      });
      void this.reconnect();
    };
    client.on("error", onLost);
    client.on("end", () => onLost());
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (e) {
      lost = true; // the caller retries; this client must not start a second loop
      await client.end().catch(() => {});
      throw e;
    }
    this.client = client;
  }

  private async reconnect(): Promise<void> {
    while (!this.closed) {
      await new Promise<void>((r) => this.clock.setTimeout(r, RECONNECT_MS));
      if (this.closed) return;
      try {
        await this.connect();
        this.logger.info("PostgreSQL notification connection back");
        for (const h of this.reconnectHandlers) h();
        return;
      } catch {
        // The database is still away; try again.
      }
    }
  }
}
