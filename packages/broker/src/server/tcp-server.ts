import { createServer, type Server, type Socket } from "node:net";
import type { TLSSocket, Server as TlsServer } from "node:tls";
import type { Logger } from "@logbook/storage";
import type { SslSettings } from "../config/ssl-settings.js";
import {
  ANONYMOUS,
  type ClientSession,
  type KafkaPrincipal,
  principalText,
  type SecurityProtocol,
} from "./client-session.js";
import { Connection, type ConnectionOptions } from "./connection.js";
import { ConnectionGate } from "./connection-gate.js";
import type { ConnectionQuotas } from "./connection-quotas.js";
import { nodeTls } from "./lazy-builtins.js";
import { peerPrincipal } from "./peer-principal.js";
import type { ResponseFrame } from "./response-frame.js";
import { SslPrincipalMapper } from "./ssl-principal-mapper.js";
import {
  CredentialWatcher,
  readSecureContextOptions,
  tlsServerOptions,
} from "./tls-credentials.js";

function isSasl(p: SecurityProtocol): boolean {
  return p === "SASL_PLAINTEXT" || p === "SASL_SSL";
}

/** The listener a TcpServer serves: its name, protocol and, for SSL, its TLS settings. */
export interface ListenerIdentity {
  readonly name: string;
  readonly securityProtocol: SecurityProtocol;
  readonly ssl: SslSettings | null;
}

export type TcpServerOptions = Omit<ConnectionOptions, "handle" | "logger" | "session"> & {
  logger: Logger;
  handle(frame: Buffer, session: ClientSession): Promise<ResponseFrame | null>;
  /** The broker's connection limits, shared by its listeners (none: every socket is served). */
  connectionQuotas?: ConnectionQuotas;
};

/**
 * One listening socket (plain or TLS) and its connections; shutdown stops accepting,
 * then drains. Each connection gets a session naming this listener and, with a client
 * certificate, its principal. New sockets pass the connection limits first (a TLS one
 * once its handshake is done).
 */
export class TcpServer {
  private readonly server: Server | TlsServer;
  private readonly connections = new Set<Connection>();
  private readonly watcher: CredentialWatcher | null = null;
  private readonly mapper: SslPrincipalMapper | null = null;
  private readonly gate: ConnectionGate | null = null;

  constructor(
    private readonly options: TcpServerOptions,
    private readonly listener: ListenerIdentity = {
      name: "PLAINTEXT",
      securityProtocol: "PLAINTEXT",
      ssl: null,
    },
  ) {
    if (options.connectionQuotas !== undefined)
      this.gate = new ConnectionGate(options.connectionQuotas, listener.name, options.logger);
    const ssl = listener.ssl;
    if (ssl === null) {
      this.server = createServer((socket) => this.admit(socket, ANONYMOUS));
      return;
    }
    this.mapper = SslPrincipalMapper.parse(ssl.principalMappingRules);
    const tls = nodeTls().createServer(
      { ...tlsServerOptions(ssl), ...readSecureContextOptions(ssl) },
      (socket) => this.acceptTls(socket),
    );
    tls.on("tlsClientError", (e, socket) =>
      options.logger.debug("TLS handshake failed", {
        listener: listener.name,
        peer: `${socket.remoteAddress}:${socket.remotePort}`,
        error: e.message,
      }),
    );
    this.watcher = new CredentialWatcher(ssl, options.logger, (o) =>
      tls.setSecureContext({ ...o, ...tlsServerOptions(ssl) }),
    );
    this.server = tls;
  }

  private acceptTls(socket: TLSSocket): void {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const presented = Object.keys(socket.getPeerCertificate() ?? {}).length > 0;
    // "requested" lets a client in without a certificate, not with an untrusted one.
    if (presented && !socket.authorized) {
      this.options.logger.info("client certificate refused", {
        listener: this.listener.name,
        peer,
        error: String(socket.authorizationError),
      });
      socket.destroy();
      return;
    }
    let principal = ANONYMOUS;
    try {
      if (this.mapper !== null) principal = peerPrincipal(socket, this.mapper);
    } catch (e) {
      this.options.logger.info("client certificate maps to no principal", {
        listener: this.listener.name,
        peer,
        error: e instanceof Error ? e.message : String(e),
      });
      socket.destroy();
      return;
    }
    this.admit(socket, principal);
  }

  private admit(socket: Socket, principal: KafkaPrincipal): void {
    if (this.gate === null) this.accept(socket, principal);
    else this.gate.offer(socket, () => this.accept(socket, principal));
  }

  private accept(socket: Socket, principal: KafkaPrincipal): void {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const logger = this.options.logger.child({ peer });
    const session: ClientSession = {
      peer,
      listenerName: this.listener.name,
      securityProtocol: this.listener.securityProtocol,
      principal,
      // A SASL listener serves nothing but ApiVersions and SASL until the client authenticates.
      authenticated: !isSasl(this.listener.securityProtocol),
      closeAfterResponse: false,
    };
    logger.debug("connection accepted", {
      listener: this.listener.name,
      principal: principalText(principal),
    });
    const conn = new Connection(socket, {
      ...this.options,
      logger,
      session,
      handle: (frame) => this.options.handle(frame, session),
    });
    this.connections.add(conn);
    socket.on("close", () => this.connections.delete(conn));
  }

  /** Connections open now (the metrics endpoint reads it). */
  get connectionCount(): number {
    return this.connections.size;
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
    this.watcher?.close();
    this.gate?.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const deadline = Date.now() + graceMs;
    while ([...this.connections].some((c) => c.pending > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const c of this.connections) c.close("shutdown");
    await closed;
  }
}
