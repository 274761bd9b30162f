import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
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
