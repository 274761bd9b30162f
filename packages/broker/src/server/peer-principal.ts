/**
 * The principal of a TLS connection: the client certificate's subject as an RFC 2253
 * name (most specific part first, as Java prints it), mapped by
 * ssl.principal.mapping.rules; ANONYMOUS without a trusted certificate.
 */
import { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";
import { ANONYMOUS, type KafkaPrincipal } from "./client-session.js";
import type { SslPrincipalMapper } from "./ssl-principal-mapper.js";

/** Node's subject (one attribute a line, in certificate order) as an RFC 2253 name. */
export function rfc2253(subject: string): string {
  return subject
    .split("\n")
    .filter((line) => line !== "")
    .reverse()
    .map((line) => {
      const eq = line.indexOf("=");
      return `${line.slice(0, eq)}=${escapeValue(line.slice(eq + 1))}`;
    })
    .join(",");
}

function escapeValue(v: string): string {
  return v
    .replace(/[,+"\\<>;]/g, (c) => `\\${c}`)
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, "\\ ");
}

export function peerPrincipal(socket: TLSSocket, mapper: SslPrincipalMapper): KafkaPrincipal {
  if (!socket.authorized) return ANONYMOUS;
  const cert = socket.getPeerCertificate();
  if (cert === null || cert.raw === undefined) return ANONYMOUS;
  const dn = rfc2253(new X509Certificate(cert.raw).subject);
  return { type: "User", name: mapper.name(dn) };
}
