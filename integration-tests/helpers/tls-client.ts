/**
 * A bare node:tls client for listener tests: open a connection (resolves once the
 * handshake is done) and check whether the broker answers on it.
 */
import { type ConnectionOptions, connect, type TLSSocket } from "node:tls";

/** Opens a TLS connection to 127.0.0.1:`port`; resolves with the socket after the handshake. */
export function tlsConnect(port: number, opts: ConnectionOptions = {}): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port, ...opts }, () => resolve(s));
    s.once("error", reject);
  });
}

/** An ApiVersions v0 request; resolves with whether any answer came before the socket ended. */
export function answered(s: TLSSocket): Promise<boolean> {
  return new Promise((resolve) => {
    let got = false;
    s.on("data", () => {
      got = true;
      s.destroy();
    });
    s.on("error", () => resolve(got));
    s.on("close", () => resolve(got));
    const body = Buffer.from([0, 18, 0, 0, 0, 0, 0, 1, 0, 1, 0x78]);
    const len = Buffer.alloc(4);
    len.writeInt32BE(body.length);
    s.write(Buffer.concat([len, body]));
    setTimeout(() => s.destroy(), 5000);
  });
}
