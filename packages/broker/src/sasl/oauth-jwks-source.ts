/**
 * Where a listener's JWKS is read from: a file: URL, or an http(s): URL fetched with the
 * TLS settings Kafka's JaasOptionsUtils takes from the options of the listener's
 * oauthbearer.sasl.jaas.config (ssl.truststore.* and ssl.endpoint.identification.algorithm,
 * used only for an https: URL). Only PEM trust stores are served, as for listeners.
 */
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { fileURLToPath } from "node:url";
import type { JSONWebKeySet } from "jose";
import { nodeHttp, nodeHttps } from "../server/lazy-builtins.js";
import { JaasConfigError } from "./jaas-config.js";

/** How the broker checks an https: JWKS endpoint's certificate. */
export interface JwksTls {
  /** PEM CA certificates to trust instead of Node's bundled ones; undefined: the bundled. */
  readonly ca: string | undefined;
  /** Kafka's ssl.endpoint.identification.algorithm=https (its default): check the host name. */
  readonly checkHostName: boolean;
}

/** Kafka's defaults: the bundled CAs, the host name checked. */
export const DEFAULT_JWKS_TLS: JwksTls = { ca: undefined, checkHostName: true };

/** How long one JWKS request may take. */
const FETCH_TIMEOUT_MS = 10_000;

const OPTION = {
  truststoreType: "ssl.truststore.type",
  truststoreLocation: "ssl.truststore.location",
  truststoreCertificates: "ssl.truststore.certificates",
  endpointIdentification: "ssl.endpoint.identification.algorithm",
} as const;

/** Client-certificate options Kafka would present to the JWKS endpoint; not served. */
const UNSERVED = /^ssl\.(keystore\..+|key\.password)$/;

/** The JWKS TLS settings among a JAAS config's options; throws JaasConfigError. */
export function jwksTlsOf(options: ReadonlyMap<string, string>): JwksTls {
  for (const key of options.keys())
    if (UNSERVED.test(key))
      throw new JaasConfigError(
        `${key}: a client certificate for the JWKS endpoint is not served (only ssl.truststore.* and ssl.endpoint.identification.algorithm)`,
      );
  const type = options.get(OPTION.truststoreType)?.trim().toUpperCase() ?? "PEM";
  if (type !== "PEM")
    throw new JaasConfigError(`${OPTION.truststoreType}: ${type} is not served (PEM only)`);
  const location = options.get(OPTION.truststoreLocation)?.trim() ?? "";
  let ca = options.get(OPTION.truststoreCertificates);
  if (location !== "") {
    try {
      ca = readFileSync(location, "utf8");
    } catch (e) {
      throw new JaasConfigError(
        `cannot read ${OPTION.truststoreLocation} ${location}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  if (ca !== undefined && !ca.includes("-----BEGIN CERTIFICATE-----"))
    throw new JaasConfigError(`${OPTION.truststoreLocation}: no PEM certificate found`);
  const algorithm = options.get(OPTION.endpointIdentification)?.trim() ?? "https";
  return { ca, checkHostName: algorithm.toLowerCase() === "https" };
}

/** Reads the JWKS at `url` once; throws with the reason. */
export type JwksLoader = () => Promise<JSONWebKeySet>;

function parseKeySet(text: string, url: URL): JSONWebKeySet {
  const set = JSON.parse(text) as unknown;
  if (typeof set !== "object" || set === null || !Array.isArray((set as JSONWebKeySet).keys))
    throw new Error(`${url.href} is not a JWKS (no "keys" list)`);
  return set as JSONWebKeySet;
}

function fetchText(url: URL, tls: JwksTls): Promise<string> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        if (res.statusCode === 200) resolve(Buffer.concat(chunks).toString("utf8"));
        else reject(new Error(`${url.href} answered HTTP ${res.statusCode}`));
      });
    };
    const req =
      url.protocol === "https:"
        ? nodeHttps().get(
            url,
            {
              ...(tls.ca === undefined ? {} : { ca: tls.ca }),
              ...(tls.checkHostName ? {} : { checkServerIdentity: () => undefined }),
            },
            onResponse,
          )
        : nodeHttp().get(url, onResponse);
    req.setTimeout(FETCH_TIMEOUT_MS, () =>
      req.destroy(new Error(`${url.href} did not answer within ${FETCH_TIMEOUT_MS} ms`)),
    );
    req.on("error", reject);
  });
}

/** The loader of a file:, http: or https: JWKS URL. */
export function jwksLoader(url: URL, tls: JwksTls): JwksLoader {
  if (url.protocol === "file:") {
    const path = fileURLToPath(url);
    return async () => parseKeySet(await readFile(path, "utf8"), url);
  }
  return async () => parseKeySet(await fetchText(url, tls), url);
}
