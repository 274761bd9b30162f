/**
 * Responses answered but not yet written count against maxInFlight: behind a response
 * whose record bytes are still being read (a streamed Fetch, response-frame.ts) the
 * connection stops starting requests, instead of starting every pipelined fetch (each
 * with its read buffers) while the first waits. Found by fuzz-frames' pipelining check
 * under load: 20,000 unread fetches grew the broker by 669 MiB.
 */
import assert from "node:assert/strict";
import type { Server } from "node:net";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { plaintextSession } from "../src/server/client-session.js";
import { Connection } from "../src/server/connection.js";
import { sendWhenFilled } from "../src/server/response-frame.js";
import {
  collectingClient,
  localServer,
  SMALL_CONNECTION_LIMITS,
  sizePrefixed,
} from "./helpers/local-server.js";

let server: Server;
let port = 0;
let started = 0;
let fill: () => void = () => {};

before(async () => {
  ({ server, port } = await localServer((socket) => {
    new Connection(socket, {
      ...SMALL_CONNECTION_LIMITS,
      session: plaintextSession("test"),
      handle: async (f) => {
        started++;
        if (f.toString() !== "first") return sizePrefixed(f.toString());
        // Answered at once, its body filled later: the connection streams it.
        const body = Buffer.alloc(4);
        sendWhenFilled(
          body,
          new Promise<void>((resolve) => {
            fill = () => {
              body.write("done");
              resolve();
            };
          }),
        );
        const head = Buffer.alloc(4);
        head.writeInt32BE(body.length, 0);
        return [head, body];
      },
    });
  }));
});

after(() => server.close());

test("requests behind a response still being read stop at maxInFlight, then all are answered", async () => {
  const { socket, received } = await collectingClient(port);
  try {
    const n = SMALL_CONNECTION_LIMITS.maxInFlight * 4;
    socket.write(sizePrefixed("first"));
    await sleep(50);
    for (let i = 0; i < n; i++) socket.write(sizePrefixed(`r${i}`));
    await sleep(300);
    assert.ok(
      started <= SMALL_CONNECTION_LIMITS.maxInFlight,
      `${started} requests started behind an unwritten response (limit ${SMALL_CONNECTION_LIMITS.maxInFlight})`,
    );
    fill();
    const expected = [
      sizePrefixed("done").toString("latin1"),
      ...Array.from({ length: n }, (_, i) => sizePrefixed(`r${i}`).toString("latin1")),
    ].join("");
    for (let i = 0; i < 300 && received() !== expected; i++) await sleep(10);
    assert.equal(received(), expected, "every response, in order");
    assert.equal(started, n + 1);
  } finally {
    socket.destroy();
  }
});
