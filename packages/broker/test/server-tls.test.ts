/**
 * SSL listeners in process: a key and chain given inline (ssl.keystore.key and
 * ssl.keystore.certificate.chain), an encrypted key with ssl.key.password, and the
 * per-listener addresses a broker reports. Certificates come from the openssl CLI.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { connect } from "node:tls";
import { removeDir, tempDir } from "../../../integration-tests/helpers/broker-process.js";
import { startInProcess } from "../../../integration-tests/helpers/in-process.js";
import {
  makeCa,
  makeServerCert,
  type ServerCert,
} from "../../../integration-tests/helpers/test-certs.js";
import { DEFAULT_BROKER_CONFIG } from "../src/config/broker-config.js";
import type { SslSettings } from "../src/config/ssl-settings.js";
import { readSecureContextOptions } from "../src/server/tls-credentials.js";

let dir: string;
let ca: string;
let server: ServerCert;

before(async () => {
  dir = await tempDir("logbook-tls-unit-");
  ca = readFileSync(makeCa(dir), "utf8");
  server = makeServerCert(dir);
});

after(async () => removeDir(dir));

const pem = (path: string) => readFileSync(path, "utf8");

function ssl(over: Partial<SslSettings>): SslSettings {
  return { ...DEFAULT_BROKER_CONFIG.ssl, ...over };
}

/** The serial number of the certificate served on `port`, and the TLS version used. */
function served(port: number): Promise<{ serial: string; protocol: string | null }> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port, ca }, () => {
      resolve({
        serial: s.getPeerX509Certificate()?.serialNumber ?? "",
        protocol: s.getProtocol(),
      });
      s.destroy();
    });
    s.once("error", reject);
  });
}

test("an inline key and chain serve an SSL listener; the broker reports each listener's address", async () => {
  const b = await startInProcess({
    firstListenerName: "PLAINTEXT",
    moreListeners: [{ name: "SSL", host: "127.0.0.1", port: 0 }],
    ssl: ssl({ keystoreKey: pem(server.key), keystoreCertificateChain: pem(server.cert) }),
  });
  try {
    const [plain, tls] = b.broker.listeners;
    assert.equal(plain?.name, "PLAINTEXT");
    assert.equal(tls?.name, "SSL");
    assert.equal(tls?.securityProtocol, "SSL");
    assert.notEqual(tls?.port, plain?.port);
    assert.deepEqual(b.broker.advertisedFor("SSL"), { host: "127.0.0.1", port: tls?.port });
    assert.deepEqual(b.broker.advertisedFor("PLAINTEXT"), { host: "127.0.0.1", port: b.port });
    const got = await served(tls?.port ?? 0);
    assert.equal(got.serial, new X509Certificate(pem(server.cert)).serialNumber);
  } finally {
    await b.stop();
  }
});

test("an encrypted key needs ssl.key.password; a wrong one is refused with OpenSSL's reason", () => {
  const encrypted = join(dir, "server-key-enc.pem");
  execFileSync("openssl", [
    "pkcs8",
    "-topk8",
    "-v2",
    "aes-256-cbc",
    "-in",
    server.key,
    "-out",
    encrypted,
    "-passout",
    "pass:s3cret",
  ]);
  const settings = { keystoreKey: pem(encrypted), keystoreCertificateChain: pem(server.cert) };
  assert.doesNotThrow(() => readSecureContextOptions(ssl({ ...settings, keyPassword: "s3cret" })));
  assert.throws(() => readSecureContextOptions(ssl({ ...settings, keyPassword: "wrong" })));
  assert.throws(
    () => readSecureContextOptions(ssl({ keystoreLocation: server.cert })),
    /no PEM private key found/,
  );
});

test("a truststore without a certificate that parses is refused (OpenSSL alone would trust no one)", () => {
  const key = { keystoreKey: pem(server.key), keystoreCertificateChain: pem(server.cert) };
  assert.doesNotThrow(() => readSecureContextOptions(ssl({ ...key, truststoreCertificates: ca })));
  assert.throws(
    () => readSecureContextOptions(ssl({ ...key, truststoreCertificates: "not a certificate" })),
    /ssl\.truststore\.certificates: no PEM certificate found/,
  );
  assert.throws(
    () =>
      readSecureContextOptions(
        ssl({
          ...key,
          truststoreCertificates: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
        }),
      ),
    /ssl\.truststore\.certificates: a certificate does not parse/,
  );
});
