/**
 * Test certificates made with the openssl CLI in a temporary directory (never committed
 * keys): a CA, a server certificate for 127.0.0.1 and localhost (subjectAltName), and
 * client certificates signed by the same CA.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface ServerCert {
  /** Key then certificate chain in one file (ssl.keystore.location). */
  readonly keystore: string;
  readonly key: string;
  readonly cert: string;
}

export interface ClientCert {
  readonly key: string;
  readonly cert: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/** A CA in `dir` (ca.pem, ca-key.pem); returns the CA certificate's path. */
export function makeCa(dir: string, name = "ca"): string {
  openssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    `/CN=Logbook Test ${name}`,
    "-keyout",
    `${name}-key.pem`,
    "-out",
    `${name}.pem`,
  ]);
  return join(dir, `${name}.pem`);
}

function signed(dir: string, ca: string, name: string, subject: string, ext: string): void {
  openssl(dir, [
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    subject,
    "-keyout",
    `${name}-key.pem`,
    "-out",
    `${name}.csr`,
  ]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    `${ca}.pem`,
    "-CAkey",
    `${ca}-key.pem`,
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    `${name}.ext`,
    "-out",
    `${name}-cert.pem`,
  ]);
}

/**
 * A server certificate for 127.0.0.1 and localhost (or the subjectAltName `altNames`
 * given), signed by CA `ca` of `dir`.
 */
export function makeServerCert(
  dir: string,
  name = "server",
  ca = "ca",
  altNames = "IP:127.0.0.1,DNS:localhost",
): ServerCert {
  signed(
    dir,
    ca,
    name,
    "/CN=localhost",
    `subjectAltName=${altNames}\nextendedKeyUsage=serverAuth\n`,
  );
  const key = join(dir, `${name}-key.pem`);
  const cert = join(dir, `${name}-cert.pem`);
  const keystore = join(dir, `${name}.pem`);
  writeFileSync(keystore, readFileSync(key, "utf8") + readFileSync(cert, "utf8"));
  return { keystore, key, cert };
}

/** A client certificate with `subject` (openssl form, e.g. /O=Acme/OU=Eng/CN=alice). */
export function makeClientCert(dir: string, name: string, subject: string, ca = "ca"): ClientCert {
  signed(dir, ca, name, subject, "extendedKeyUsage=clientAuth\n");
  return { key: join(dir, `${name}-key.pem`), cert: join(dir, `${name}-cert.pem`) };
}
