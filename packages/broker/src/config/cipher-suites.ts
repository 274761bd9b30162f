/**
 * ssl.cipher.suites: Kafka's list of IANA suite names, checked when read and turned
 * into the `ciphers` string of node:tls (OpenSSL names for TLS 1.2, IANA names for
 * TLS 1.3). As in Java, the list is every suite the listener may use, so a TLS version
 * none of them serves is not offered (TLS 1.3 with only 1.2 suites, and the reverse).
 */
import { parseList } from "../metadata/config-values.js";
import { nodeTls } from "../server/lazy-builtins.js";
import { OPENSSL_NAMES, TLS13_SUITES } from "./cipher-suite-names.js";
import { ConfigValueError, type Kind } from "./kinds.js";
import type { TlsVersion } from "./ssl-settings.js";

/** Whether this Node's OpenSSL can use a suite (its build may leave some out). */
function available(node: string): boolean {
  try {
    nodeTls().createSecureContext({ ciphers: node });
    return true;
  } catch {
    return false;
  }
}

/**
 * Java lists this signal among its suites (so a list copied from a JVM holds it); OpenSSL
 * always sends it, so it is accepted and not passed on.
 */
const RENEGOTIATION_SIGNAL = "TLS_EMPTY_RENEGOTIATION_INFO_SCSV";

/** Java also names the oldest suites SSL_*, for TLS_* (SSL_RSA_WITH_AES_128_CBC_SHA). */
function ianaName(name: string): string {
  return name.startsWith("SSL_") ? `TLS_${name.slice("SSL_".length)}` : name;
}

/** The OpenSSL (TLS 1.2) or IANA (TLS 1.3) name node:tls takes; throws for an unknown one. */
function nodeName(name: string): string {
  const iana = ianaName(name);
  const node = TLS13_SUITES.has(iana) ? iana : OPENSSL_NAMES.get(iana);
  if (node === undefined)
    throw new ConfigValueError(
      `Unknown cipher suite "${name}": give IANA (Java) names such as TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 or TLS_AES_128_GCM_SHA256`,
    );
  if (!available(node))
    throw new ConfigValueError(
      `Cipher suite ${name} (OpenSSL ${node}) is not available in this Node's OpenSSL ${process.versions.openssl}`,
    );
  return node;
}

/** The suites of a list, without Java's renegotiation signal. */
function suitesOf(names: readonly string[]): string[] {
  return names.filter((n) => n !== RENEGOTIATION_SIGNAL);
}

/** A comma-separated list of cipher suite names, each one known and available. */
export function cipherSuiteList(): Kind<string[]> {
  return {
    type: "list",
    parse(raw) {
      const items = parseList(raw);
      for (const i of suitesOf(items)) nodeName(i);
      if (items.length > 0 && suitesOf(items).length === 0)
        throw new ConfigValueError(`${RENEGOTIATION_SIGNAL} alone names no cipher suite`);
      return items;
    },
    format: (items) => items.join(","),
  };
}

/** The `ciphers` option of node:tls for a (checked) list; undefined keeps OpenSSL's defaults. */
export function nodeCiphers(suites: readonly string[]): string | undefined {
  return suites.length === 0 ? undefined : suitesOf(suites).map(nodeName).join(":");
}

/** The enabled TLS versions some suite of the list serves (all of them with no list). */
export function versionsServed(
  enabled: readonly TlsVersion[],
  suites: readonly string[],
): TlsVersion[] {
  if (suites.length === 0) return [...enabled];
  const has13 = suitesOf(suites).some((s) => TLS13_SUITES.has(ianaName(s)));
  const has12 = suitesOf(suites).some((s) => !TLS13_SUITES.has(ianaName(s)));
  return enabled.filter((v) => (v === "TLSv1.3" ? has13 : has12));
}
