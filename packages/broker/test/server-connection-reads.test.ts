/**
 * A connection keeps reading while its requests are handled: frames that arrive together
 * are all started, and a later frame is read and started too, without waiting for any
 * response to be written (within maxInFlight). Reading used to pause whenever a chunk
 * held two or more frames, until the next response was flushed: under several producers
 * that held requests in the kernel for tens of ms (docs/performance.md).
 */
import assert from "node:assert/strict";
import type { Server } from "node:net";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { plaintextSession } from "../src/server/client-session.js";
import { Connection } from "../src/server/connection.js";
import {
  collectingClient,
  localServer,
  SMALL_CONNECTION_LIMITS,
  sizePrefixed,
} from "./helpers/local-server.js";

let server: Server;
let port = 0;
/** Payloads of the frames the server started, in order. */
const started: string[] = [];
/** Releases every held request: its response is its payload. */
let releaseAll: () => void = () => {};
let held: Promise<void> = new Promise(() => {});

before(async () => {
  held = new Promise<void>((resolve) => {
    releaseAll = resolve;
  });
  ({ server, port } = await localServer((socket) => {
    new Connection(socket, {
      ...SMALL_CONNECTION_LIMITS,
      session: plaintextSession("test"),
      handle: async (f) => {
        started.push(f.toString());
        await held;
        return sizePrefixed(f.toString());
      },
    });
  }));
});

after(() => server.close());

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await sleep(10);
  assert.ok(ok(), what);
}

test("frames that arrive together do not stop the next ones being read", async () => {
  const { socket, received } = await collectingClient(port);
  try {
    socket.write(Buffer.concat([sizePrefixed("a"), sizePrefixed("b"), sizePrefixed("c")]));
    await until("the three frames of one chunk start", () => started.length === 3);
    socket.write(sizePrefixed("d"));
    await until(
      "a later frame starts while the first three are still being handled",
      () => started.length === 4,
    );
    assert.deepEqual(started, ["a", "b", "c", "d"]);
    assert.equal(received(), "", "nothing answered yet");
    releaseAll();
    const expected = ["a", "b", "c", "d"].map((p) => sizePrefixed(p).toString("latin1")).join("");
    await until("every response, in order", () => received() === expected);
  } finally {
    socket.destroy();
  }
});
