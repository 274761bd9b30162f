/**
 * A minimal Kafka client over one TCP connection, for tests that need exact control
 * of the bytes: send whole or broken frames, read response frames in arrival order,
 * see when the broker closes the connection.
 */
import { connect, type Socket } from "node:net";
import {
  type ApiCodec,
  decodeResponseFrame,
  encodeRequestFrame,
  FrameDecoder,
} from "@logbook/protocol";

export class WireClient {
  private readonly decoder = new FrameDecoder({ maxFrameSize: 0x7fffffff });
  private readonly frames: Buffer[] = [];
  private readonly waiters: { resolve(f: Buffer): void; reject(e: Error): void }[] = [];
  private nextCorrelation = 1;
  private isClosed = false;
  /** Resolves when the connection is closed by either side. */
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.on("data", (chunk: Buffer) => {
      for (const f of this.decoder.push(chunk).frames) {
        const w = this.waiters.shift();
        if (w !== undefined) w.resolve(Buffer.from(f));
        else this.frames.push(Buffer.from(f));
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.isClosed = true;
      for (const w of this.waiters.splice(0)) w.reject(new Error("connection closed"));
    });
  }

  static connect(port: number, host = "127.0.0.1"): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host });
      s.once("connect", () => {
        s.off("error", reject);
        resolve(new WireClient(s));
      });
      s.once("error", reject);
    });
  }

  get closedNow(): boolean {
    return this.isClosed;
  }

  /** Writes raw bytes (a whole frame, part of one, or garbage). */
  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The next response frame body (size prefix removed), in arrival order. */
  nextFrame(): Promise<Buffer> {
    const f = this.frames.shift();
    if (f !== undefined) return Promise.resolve(f);
    if (this.isClosed) return Promise.reject(new Error("connection closed"));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Encodes a request frame with a fresh correlation id and returns it unsent. */
  frame<Req>(
    api: ApiCodec<Req, unknown>,
    version: number,
    body: Req,
    clientId: string | null = "wire-test",
  ): { frame: Buffer; correlationId: number } {
    const correlationId = this.nextCorrelation++;
    return {
      frame: encodeRequestFrame(api, version, { correlationId, clientId }, body),
      correlationId,
    };
  }

  /** Sends one request and decodes the next response frame as its answer. */
  async request<Req, Res>(
    api: ApiCodec<Req, Res>,
    version: number,
    body: Req,
  ): Promise<{ correlationId: number; body: Res }> {
    const { frame, correlationId } = this.frame(api, version, body);
    this.write(frame);
    const resp = decodeResponseFrame(api, version, await this.nextFrame());
    if (resp.header.correlationId !== correlationId)
      throw new Error(`correlation id ${resp.header.correlationId}, expected ${correlationId}`);
    return { correlationId, body: resp.body };
  }

  close(): void {
    this.socket.destroy();
  }
}
