import type { RequestContext } from "../handler.js";

/**
 * The client host as Kafka reports it in DescribeGroups (`InetAddress.toString()` of
 * the connection: "/" and the address). `peer` is "address:port"; IPv6 addresses hold
 * colons too, so the port is cut at the last one.
 */
export function clientHost(ctx: RequestContext): string {
  const cut = ctx.peer.lastIndexOf(":");
  return `/${cut > 0 ? ctx.peer.slice(0, cut) : ctx.peer}`;
}

export function clientId(ctx: RequestContext): string {
  return ctx.header.clientId ?? "";
}
