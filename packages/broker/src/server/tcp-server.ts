import { createServer, type Server, type Socket } from "node:net";
import type { Logger } from "@logbook/storage";
import { type ClientSession, plaintextSession } from "./client-session.js";
import { Connection, type ConnectionOptions } from "./connection.js";
import type { ResponseFrame } from "./response-frame.js";

/** The listening socket and its connections; shutdown stops accepting, then drains. */
export class TcpServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();

  constructor(
    private readonly options: Omit<ConnectionOptions, "handle" | "logger"> & {
      logger: Logger;
      handle(frame: Buffer, session: ClientSession): Promise<ResponseFrame | null>;
    },
  ) {
    this.server = createServer((socket) => this.accept(socket));
  }

  private accept(socket: Socket): void {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const logger = this.options.logger.child({ peer });
    const session = plaintextSession(peer);
    const conn = new Connection(socket, {
      ...this.options,
      logger,
      handle: (frame) => this.options.handle(frame, session),
    });
    this.connections.add(conn);
    socket.on("close", () => this.connections.delete(conn));
  }

  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        const addr = this.server.address();
        if (addr === null || typeof addr === "string") reject(new Error("no TCP address"));
        else resolve({ host: addr.address, port: addr.port });
      });
    });
  }

  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), closes the rest. */
  async close(graceMs = 5000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const deadline = Date.now() + graceMs;
    while ([...this.connections].some((c) => c.pending > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const c of this.connections) c.close("shutdown");
    await closed;
  }
}
