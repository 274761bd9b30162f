/**
 * The key, certificate chain and trusted CAs of one SSL listener, read from PEM files
 * or inline PEM text, and watched: when a file changes the listener gets a new secure
 * context (new connections see the new certificate); a file that does not load keeps
 * the old context and logs why.
 */
import { X509Certificate } from "node:crypto";
import { readFileSync, unwatchFile, watchFile } from "node:fs";
import type { SecureContextOptions, TlsOptions } from "node:tls";
import type { Logger } from "@logbook/storage";
import { nodeCiphers, versionsServed } from "../config/cipher-suites.js";
import type { SslSettings } from "../config/ssl-settings.js";
import { nodeTls } from "./lazy-builtins.js";

/** How often a watched file's status is polled (a replaced file is seen too). */
const WATCH_INTERVAL_MS = 1000;

const PEM_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/;
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The secure-context part of the TLS options, read now; throws with the reason. */
export function readSecureContextOptions(s: SslSettings): SecureContextOptions {
  const store =
    s.keystoreLocation !== "" ? readPem(s.keystoreLocation, "ssl.keystore.location") : "";
  const key = s.keystoreLocation !== "" ? PEM_KEY.exec(store)?.[0] : s.keystoreKey;
  const chain =
    s.keystoreLocation !== ""
      ? (store.match(PEM_CERT) ?? []).join("\n")
      : s.keystoreCertificateChain;
  const where = s.keystoreLocation !== "" ? s.keystoreLocation : "ssl.keystore.key";
  if (key === undefined || key === "") throw new Error(`${where}: no PEM private key found`);
  if (chain === "") throw new Error(`${where}: no PEM certificate found`);
  const ca =
    s.truststoreLocation !== ""
      ? readPem(s.truststoreLocation, "ssl.truststore.location")
      : s.truststoreCertificates;
  if (ca !== "")
    checkCertificates(
      ca,
      s.truststoreLocation !== "" ? s.truststoreLocation : "ssl.truststore.certificates",
    );
  const options: SecureContextOptions = {
    key,
    cert: chain,
    ...(s.keyPassword !== "" ? { passphrase: s.keyPassword } : {}),
    ...(ca !== "" ? { ca } : {}),
  };
  // Fails here, with OpenSSL's reason, rather than on the first client.
  nodeTls().createSecureContext(options);
  return options;
}

/**
 * OpenSSL takes CA text without a single certificate (and then trusts no client), so a
 * truncated or garbled truststore is caught here, and a reload keeps the last good one.
 */
function checkCertificates(pem: string, where: string): void {
  const certs = pem.match(PEM_CERT) ?? [];
  if (certs.length === 0) throw new Error(`${where}: no PEM certificate found`);
  for (const c of certs) {
    try {
      new X509Certificate(c);
    } catch (e) {
      throw new Error(
        `${where}: a certificate does not parse: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
}

function readPem(path: string, setting: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(
      `cannot read ${setting} ${path}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/** The server options of an SSL listener that do not change on reload. */
export function tlsServerOptions(s: SslSettings): TlsOptions {
  // listener-plan refuses a listener whose suites serve none of its versions.
  const versions = versionsServed(s.enabledProtocols, s.cipherSuites).sort();
  const ciphers = nodeCiphers(s.cipherSuites);
  return {
    minVersion: versions[0],
    maxVersion: versions[versions.length - 1],
    ...(ciphers === undefined ? {} : { ciphers }),
    requestCert: s.clientAuth !== "none",
    // "requested" takes a certificate when offered and lets a client in without one;
    // an untrusted certificate is then refused by tcp-server (authorized is false).
    rejectUnauthorized: s.clientAuth === "required",
  };
}

/** Watches the PEM files of a listener and calls `reload` with fresh options on a change. */
export class CredentialWatcher {
  private readonly files: string[];

  constructor(
    private readonly settings: SslSettings,
    private readonly logger: Logger,
    private readonly reload: (options: SecureContextOptions) => void,
  ) {
    this.files = [settings.keystoreLocation, settings.truststoreLocation].filter((f) => f !== "");
    for (const f of this.files) watchFile(f, { interval: WATCH_INTERVAL_MS }, this.changed);
  }

  private readonly changed = (): void => {
    try {
      this.reload(readSecureContextOptions(this.settings));
      this.logger.info("TLS key and certificates reloaded", { files: this.files.join(",") });
    } catch (e) {
      this.logger.warn("TLS files changed but do not load; keeping the previous ones", {
        error: e instanceof Error ? e.message : String(e),
      });
    }
  };

  close(): void {
    for (const f of this.files) unwatchFile(f, this.changed);
  }
}
