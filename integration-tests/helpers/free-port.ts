import { createServer } from "node:net";

/** Ports this process has handed out: the OS may give a closed port again at once. */
const handedOut = new Set<number>();
const ATTEMPTS = 100;

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (for servers that need one named),
 * and never one this process was given before: a test that names two listeners (say
 * Kafka's CONTROLLER and SASL_PLAINTEXT) must not be given the same port for both.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const port = await bindAndRelease();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no port not handed out before in ${ATTEMPTS} attempts`);
}

function bindAndRelease(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
