/** A broker address that cannot be parsed. */
export class AddressError extends Error {
  override readonly name = "AddressError";
}

/** "host:port", "[v6]:port" or "host" (port 9092), as bootstrap lists write them. */
export function parseHostPort(text: string, defaultPort = 9092): { host: string; port: number } {
  const t = text.trim();
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  const m = v6 ?? /^([^:]+)(?::(\d+))?$/.exec(t);
  const host = m?.[1];
  if (m === null || host === undefined || host === "")
    throw new AddressError(`"${text}" is not host:port`);
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new AddressError(`"${text}": port must be 1-65535`);
  return { host, port };
}

/** A comma-separated bootstrap list. */
export function parseBootstrap(text: string): { host: string; port: number }[] {
  const list = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (list.length === 0) throw new AddressError("no broker address given");
  return list.map((s) => parseHostPort(s));
}
