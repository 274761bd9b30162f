/**
 * A response whose record bytes are still being read (a large Fetch, see
 * data/fetch-read.ts readSizedPartitions) is written up to the part being read, the rest
 * once the read completes, and the responses after it only then. A read that fails
 * leaves the frame unfinishable: the connection closes instead of sending other bytes.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createConnection, type Server, type Socket } from "node:net";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { plaintextSession } from "../src/server/client-session.js";
import { Connection } from "../src/server/connection.js";
import { sendWhenFilled } from "../src/server/response-frame.js";
import { localServer, SMALL_CONNECTION_LIMITS } from "./helpers/local-server.js";

interface Pending {
  fill: (bytes: string) => void;
  fail: () => void;
}

/** The reads the server's responses wait for, by request payload. */
const pending = new Map<string, Pending>();
let server: Server;
let port = 0;

function framed(parts: Buffer[]): Buffer[] {
  const size = parts.reduce((n, p) => n + p.length, 0);
  const head = Buffer.alloc(4);
  head.writeInt32BE(size, 0);
  return [head, ...parts];
}

before(async () => {
  ({ server, port } = await localServer((socket) => {
    new Connection(socket, {
      ...SMALL_CONNECTION_LIMITS,
      session: plaintextSession("test"),
      handle: async (frame) => {
        const name = frame.toString();
        // "slow-X": answered "X[" + 4 bytes read later + "]"; anything else echoed at once.
        if (!name.startsWith("slow-")) return Buffer.concat(framed([frame]));
        const body = Buffer.alloc(4);
        const filled = new Promise<void>((resolve, reject) => {
          pending.set(name, {
            fill: (bytes) => {
              body.write(bytes);
              resolve();
            },
            fail: () => reject(new Error("read failed")),
          });
        });
        sendWhenFilled(body, filled);
        return framed([Buffer.from(`${name.slice(5)}[`), body, Buffer.from("]")]);
      },
    });
  }));
});

after(() => server.close());

/** Everything the socket has received so far, as frames' bodies joined by "|". */
function received(socket: Socket): () => string {
  let got = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    got = Buffer.concat([got, chunk]);
  });
  return () => {
    const out: string[] = [];
    let at = 0;
    while (got.length - at >= 4) {
      const size = got.readInt32BE(at);
      out.push(got.subarray(at + 4, Math.min(got.length, at + 4 + size)).toString());
      at += 4 + size;
    }
    return out.join("|");
  };
}

function send(socket: Socket, payload: string): void {
  socket.write(Buffer.concat(framed([Buffer.from(payload)])));
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await sleep(10);
  assert.ok(check(), what);
}

async function connect(): Promise<Socket> {
  const socket = createConnection({ port, host: "127.0.0.1" });
  await once(socket, "connect");
  return socket;
}

test("a response is written up to its part being read, and the next one waits behind it", async () => {
  const socket = await connect();
  const seen = received(socket);
  send(socket, "slow-a");
  send(socket, "next");
  await until(() => pending.has("slow-a") && seen() === "a[", "the first part was not sent");
  await sleep(50);
  assert.equal(seen(), "a[", "bytes after the part being read were sent before it");
  pending.get("slow-a")?.fill("DATA");
  await until(() => seen() === "a[DATA]|next", `got ${seen()}`);
  socket.destroy();
});

test("a failed read closes the connection and sends nothing after the frame's first part", async () => {
  const socket = await connect();
  const seen = received(socket);
  const closed = once(socket, "close");
  send(socket, "slow-b");
  send(socket, "after");
  await until(() => pending.has("slow-b"), "the request was not handled");
  pending.get("slow-b")?.fail();
  await closed;
  assert.equal(seen(), "b[");
});
