/**
 * Host names as ip quota entities: Kafka accepts a name it can resolve (its controller
 * asks InetAddress.getByName) and applies the quota to the address the name resolves
 * to. Resolution is asynchronous here (node:dns lookup).
 */
import { isIP } from "node:net";

/** The names among `names` that are IP literals or resolve. */
export async function resolvableNames(names: Iterable<string>): Promise<Set<string>> {
  const out = new Set<string>();
  await Promise.all(
    [...new Set(names)].map(async (name) => {
      if (isIP(name) !== 0) out.add(name);
      else if ((await addressesOf(name)).length > 0) out.add(name);
    }),
  );
  return out;
}

/** The addresses a host name resolves to; none when it does not. */
export async function addressesOf(name: string): Promise<string[]> {
  try {
    return (await (await import("node:dns/promises")).lookup(name, { all: true })).map(
      (a) => a.address,
    );
  } catch {
    return [];
  }
}
