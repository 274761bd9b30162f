/**
 * One connection to one broker: requests are pipelined and matched to their responses by
 * correlation id; each API is sent at the highest version both this codec and the broker
 * support (learnt with ApiVersions when the connection opens). With TLS the socket is
 * a TLS one; with SASL the connection authenticates right after ApiVersions, as Kafka's
 * clients do, before any other request.
 */
import { connect as connectTcp, isIP, type Socket } from "node:net";
import {
  type ApiCodec,
  ApiVersionsApi,
  type ApiVersionsResponse,
  createApiVersionsRequest,
  DecodeError,
  decodeResponseFrame,
  ErrorCode,
  encodeRequestFrame,
  FrameDecoder,
} from "@logbook/protocol";
import { ConnectionError, KafkaError } from "./kafka-error.js";
import { saslLogin } from "./sasl/sasl-login.js";
import type { SaslOptions, TlsOptions } from "./security-options.js";

export interface ConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly clientId: string;
  /** How long a connect or a request may take before it fails (ms). */
  readonly timeoutMs: number;
  /** TLS for the socket (SSL and SASL_SSL listeners); plain TCP when absent. */
  readonly tls?: TlsOptions;
  /** SASL authentication (SASL_PLAINTEXT and SASL_SSL listeners). */
  readonly sasl?: SaslOptions;
}

/** The version range a broker serves for one API. */
export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

interface Pending {
  readonly decode: (frame: Buffer) => void;
  readonly fail: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

// Responses up to 1 GiB: the broker's own cap on what it sends is far below it.
const MAX_RESPONSE_BYTES = 1 << 30;
// The highest ApiVersions this codec speaks (features with a minimum of 0 are only listed
// from v4); a broker that serves less answers in the v0 layout, the fallback.
const API_VERSIONS_VERSION = ApiVersionsApi.maxVersion;

export class Connection {
  private readonly decoder = new FrameDecoder({ maxFrameSize: MAX_RESPONSE_BYTES });
  private readonly pending = new Map<number, Pending>();
  private nextCorrelation = 0;
  private closedWith: Error | null = null;
  private versions = new Map<number, VersionRange>();
  private apiVersionsAnswer: ApiVersionsResponse | null = null;

  private constructor(
    private readonly socket: Socket,
    readonly options: ConnectionOptions,
  ) {
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (e) => this.fail(new ConnectionError(`${this.address}: ${e.message}`)));
    socket.on("close", () => this.fail(new ConnectionError(`${this.address}: connection closed`)));
  }

  static async open(options: ConnectionOptions): Promise<Connection> {
    const socket = await openSocket(options);
    socket.setNoDelay(true);
    const c = new Connection(socket, options);
    try {
      await c.learnVersions();
      if (options.sasl !== undefined) await saslLogin(c, options.sasl);
    } catch (e) {
      c.close();
      throw e;
    }
    return c;
  }

  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  /** The versions the broker serves, by API key (from its ApiVersions answer). */
  get brokerVersions(): ReadonlyMap<number, VersionRange> {
    return this.versions;
  }

  /** The broker's ApiVersions answer: its APIs and, from v3, its features. */
  get apiVersions(): ApiVersionsResponse {
    if (this.apiVersionsAnswer === null) throw new Error("ApiVersions has not been answered");
    return this.apiVersionsAnswer;
  }

  /** The version a request of `api` goes out at, or undefined when there is none in common. */
  versionFor(api: ApiCodec<unknown, unknown>): number | undefined {
    const broker = this.versions.get(api.apiKey);
    if (broker === undefined) return undefined;
    const v = Math.min(api.maxVersion, broker.max);
    return v >= Math.max(api.minVersion, broker.min) ? v : undefined;
  }

  /**
   * Sends a request and resolves with the decoded response. `version` defaults to the
   * highest in common; `build` may shape the body for the chosen version.
   */
  async send<Req, Res>(
    api: ApiCodec<Req, Res>,
    body: Req | ((version: number) => Req),
    version?: number,
  ): Promise<{ version: number; body: Res }> {
    const v = version ?? this.versionFor(api as ApiCodec<unknown, unknown>);
    if (v === undefined)
      throw new KafkaError(
        ErrorCode.UNSUPPORTED_VERSION,
        `${this.address} serves no version of ${api.name} this client speaks`,
      );
    const request = typeof body === "function" ? (body as (version: number) => Req)(v) : body;
    return { version: v, body: await this.roundTrip(api, v, request) };
  }

  /**
   * Sends a request the broker does not answer (an acks=0 Produce); resolves once the
   * bytes are handed to the socket.
   */
  sendOneWay<Req>(
    api: ApiCodec<Req, unknown>,
    body: Req | ((version: number) => Req),
  ): Promise<void> {
    if (this.closedWith !== null) return Promise.reject(this.closedWith);
    const v = this.versionFor(api as ApiCodec<unknown, unknown>);
    if (v === undefined)
      return Promise.reject(
        new KafkaError(
          ErrorCode.UNSUPPORTED_VERSION,
          `${this.address} serves no version of ${api.name}`,
        ),
      );
    const request = typeof body === "function" ? (body as (version: number) => Req)(v) : body;
    const frame = encodeRequestFrame(
      api,
      v,
      { correlationId: this.nextCorrelation++, clientId: this.options.clientId },
      request,
    );
    return new Promise((resolve, reject) =>
      this.socket.write(frame, (e) => (e === undefined || e === null ? resolve() : reject(e))),
    );
  }

  private roundTrip<Req, Res>(api: ApiCodec<Req, Res>, version: number, body: Req): Promise<Res> {
    if (this.closedWith !== null) return Promise.reject(this.closedWith);
    const correlationId = this.nextCorrelation++;
    const frame = encodeRequestFrame(
      api,
      version,
      { correlationId, clientId: this.options.clientId },
      body,
    );
    return new Promise<Res>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new ConnectionError(`${this.address}: ${api.name} timed out`));
      }, this.options.timeoutMs);
      this.pending.set(correlationId, {
        timer,
        fail: reject,
        decode: (f) => {
          try {
            resolve(decodeResponseFrame(api, version, f).body);
          } catch (e) {
            reject(
              e instanceof DecodeError
                ? new ConnectionError(`${this.address}: ${api.name} v${version}: ${e.message}`)
                : e,
            );
          }
        },
      });
      this.socket.write(frame);
    });
  }

  private async learnVersions(): Promise<void> {
    const request = createApiVersionsRequest({
      clientSoftwareName: "logbook-cli",
      clientSoftwareVersion: "0.1.0",
    });
    let answer: ApiVersionsResponse;
    try {
      answer = await this.roundTrip(ApiVersionsApi, API_VERSIONS_VERSION, request);
    } catch (e) {
      // A broker without this version answers UNSUPPORTED_VERSION in the v0 layout
      // (KIP-511), which does not decode as the version asked: ask again at v0.
      if (!(e instanceof ConnectionError) || this.closedWith !== null) throw e;
      answer = await this.roundTrip(ApiVersionsApi, 0, request);
    }
    if (answer.errorCode !== 0) throw new KafkaError(answer.errorCode, null, "ApiVersions");
    this.apiVersionsAnswer = answer;
    this.versions = new Map(
      answer.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]),
    );
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk).frames;
    } catch (e) {
      this.fail(new ConnectionError(`${this.address}: ${(e as Error).message}`));
      this.socket.destroy();
      return;
    }
    for (const f of frames) {
      const correlationId = f.readInt32BE(0);
      const p = this.pending.get(correlationId);
      if (p === undefined) continue;
      this.pending.delete(correlationId);
      clearTimeout(p.timer);
      p.decode(Buffer.from(f));
    }
  }

  private fail(e: Error): void {
    if (this.closedWith === null) this.closedWith = e;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.fail(e);
    }
    this.pending.clear();
  }

  close(): void {
    this.fail(new ConnectionError(`${this.address}: closed by the client`));
    this.socket.destroy();
  }
}

/** A connected socket: TCP, or TLS once its handshake is done (a TLS failure names its reason). */
async function openSocket(options: ConnectionOptions): Promise<Socket> {
  const where = `${options.host}:${options.port}`;
  const tls = options.tls;
  // node:tls is loaded only for a TLS connection: the broker, which embeds this client
  // for its peers, should not compile it at start-up for plaintext listeners.
  const connectTls = tls === undefined ? undefined : (await import("node:tls")).connect;
  return new Promise<Socket>((resolve, reject) => {
    const s =
      tls === undefined || connectTls === undefined
        ? connectTcp({ host: options.host, port: options.port })
        : connectTls({
            host: options.host,
            port: options.port,
            // SNI only for names: a literal address is not a server name (RFC 6066).
            ...(isIP(options.host) === 0 ? { servername: options.host } : {}),
            ...(tls.ca === undefined ? {} : { ca: tls.ca }),
            ...(tls.cert === undefined ? {} : { cert: tls.cert }),
            ...(tls.key === undefined ? {} : { key: tls.key }),
            ...(tls.checkServerName === false ? { checkServerIdentity: () => undefined } : {}),
          });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new ConnectionError(`${where}: connect timed out`));
    }, options.timeoutMs);
    // A refused or unreachable address is not a TLS failure: only after TCP connected.
    let connected = false;
    s.once("connect", () => {
      connected = true;
    });
    const onError = (e: Error) => {
      clearTimeout(timer);
      reject(
        new ConnectionError(
          tls !== undefined && connected
            ? `${where}: TLS handshake failed: ${e.message}`
            : `${where}: ${e.message}`,
        ),
      );
    };
    s.once("error", onError);
    s.once(tls === undefined ? "connect" : "secureConnect", () => {
      clearTimeout(timer);
      s.off("error", onError);
      resolve(s);
    });
  });
}
