import assert from "node:assert/strict";
import { once } from "node:events";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { silentLogger } from "@logbook/storage";

/** A TCP server on a free port of 127.0.0.1 that hands each accepted socket to `serve`. */
export async function localServer(
  serve: (socket: Socket) => void,
): Promise<{ server: Server; port: number }> {
  const server = createServer(serve);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const addr = server.address();
  assert.ok(addr !== null && typeof addr === "object");
  return { server, port: addr.port };
}

/** Connection limits for tests that serve a few small frames (see server/connection.ts). */
export const SMALL_CONNECTION_LIMITS = {
  maxFrameSize: 1024,
  idleMs: 60_000,
  maxPendingBytes: 1 << 20,
  maxInFlight: 16,
  logger: silentLogger,
};

/** A frame as the Kafka protocol sizes it: a 4-byte length, then `payload`. */
export function sizePrefixed(payload: string): Buffer {
  const body = Buffer.from(payload);
  const head = Buffer.alloc(4);
  head.writeInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

/** A raw client of 127.0.0.1:`port` that keeps what it receives, as latin1 text. */
export async function collectingClient(
  port: number,
): Promise<{ socket: Socket; received: () => string }> {
  const socket = createConnection(port, "127.0.0.1");
  await once(socket, "connect");
  let got = "";
  socket.on("data", (chunk: Buffer) => {
    got += chunk.toString("latin1");
  });
  return { socket, received: () => got };
}
