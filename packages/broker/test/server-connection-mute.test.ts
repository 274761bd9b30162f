/**
 * A connection muted by a quota throttle (KIP-219) reads again once the mute ends,
 * however the clock ticks between the checks that pause it. Regression: reading paused
 * on a mute with a millisecond left, and the timer meant to resume it was skipped
 * because the clock, read again, said the mute was over; an idle connection then never
 * read another request (the differential mutation-quota test timed out in CI).
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createConnection, type Server, type Socket } from "node:net";
import { after, before, test } from "node:test";
import { plaintextSession } from "../src/server/client-session.js";
import { Connection } from "../src/server/connection.js";
import { localServer, SMALL_CONNECTION_LIMITS } from "./helpers/local-server.js";

/** A clock that moves one millisecond each time it is read: every check sees a later time. */
function tickingClock(start: number): () => number {
  let t = start;
  return () => t++;
}

/** The mute the first request of a connection sets, in ticks of its clock. */
let muteTicks = 0;
let server: Server;
let port = 0;

before(async () => {
  ({ server, port } = await localServer((socket) => {
    const session = plaintextSession("test");
    const now = tickingClock(1_000_000);
    let first = true;
    new Connection(socket, {
      ...SMALL_CONNECTION_LIMITS,
      session,
      now,
      handle: async (frame) => {
        if (first) {
          first = false;
          session.mutedUntilMs = now() + muteTicks;
        }
        // Echo the request back as the response.
        const out = Buffer.alloc(4 + frame.length);
        out.writeInt32BE(frame.length, 0);
        frame.copy(out, 4);
        return out;
      },
    });
  }));
});

after(() => server.close());

/** Sends one frame and waits for its echo, or fails after `ms`. */
async function roundTrip(socket: Socket, payload: string, ms: number): Promise<string> {
  const body = Buffer.from(payload);
  const frame = Buffer.alloc(4 + body.length);
  frame.writeInt32BE(body.length, 0);
  body.copy(frame, 4);
  const answer = new Promise<string>((resolve) => {
    let got = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= 4 && got.length >= 4 + got.readInt32BE(0)) {
        socket.off("data", onData);
        resolve(got.subarray(4, 4 + got.readInt32BE(0)).toString());
      }
    };
    socket.on("data", onData);
  });
  socket.write(frame);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to ${payload} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

for (const ticks of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
  test(`a connection muted for ${ticks} clock reads answers the next request`, async () => {
    muteTicks = ticks;
    const socket = createConnection(port, "127.0.0.1");
    await once(socket, "connect");
    try {
      assert.equal(await roundTrip(socket, "first", 5000), "first");
      // The first answer is out and nothing is in flight: only the mute's end can resume.
      assert.equal(await roundTrip(socket, "second", 5000), "second");
    } finally {
      socket.destroy();
    }
  });
}
