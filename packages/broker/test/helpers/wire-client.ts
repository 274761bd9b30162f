import { connect, type Socket } from "node:net";
import {
  type ApiCodec,
  decodeResponseFrame,
  encodeRequestFrame,
  FrameDecoder,
} from "@logbook/protocol";

interface Pending {
  decode(frame: Buffer): void;
  fail(err: Error): void;
}

/**
 * A minimal Kafka client for tests: sends request frames built with our codec and
 * resolves each response in request order (the broker guarantees that order).
 */
export class WireClient {
  private readonly pending: Pending[] = [];
  private readonly decoder = new FrameDecoder();
  private correlationId = 0;

  private constructor(
    private readonly socket: Socket,
    private readonly clientId: string,
  ) {
    socket.on("data", (chunk: Buffer) => {
      const { frames, error } = this.decoder.push(chunk);
      for (const f of frames) this.pending.shift()?.decode(f);
      if (error !== undefined) this.failAll(error);
    });
    socket.on("error", (e) => this.failAll(e));
    socket.on("close", () => this.failAll(new Error("connection closed")));
  }

  static connect(port: number, host = "127.0.0.1", clientId = "wire-test"): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => {
        s.off("error", reject);
        resolve(new WireClient(s, clientId));
      });
      s.once("error", reject);
    });
  }

  send<Req, Res>(api: ApiCodec<Req, Res>, version: number, body: Req): Promise<Res> {
    const correlationId = ++this.correlationId;
    return new Promise<Res>((resolve, reject) => {
      this.pending.push({
        decode: (frame) => {
          try {
            const res = decodeResponseFrame(api, version, frame);
            if (res.header.correlationId !== correlationId) {
              throw new Error(
                `correlation id ${res.header.correlationId}, expected ${correlationId}`,
              );
            }
            resolve(res.body);
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        },
        fail: reject,
      });
      this.socket.write(
        encodeRequestFrame(api, version, { correlationId, clientId: this.clientId }, body),
      );
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private failAll(err: Error): void {
    for (const p of this.pending.splice(0)) p.fail(err);
  }
}
