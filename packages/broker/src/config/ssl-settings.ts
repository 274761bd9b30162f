/**
 * TLS settings of SSL listeners, with Kafka's names. Keys and certificates are PEM
 * only (files or inline text); each can be overridden for one listener as
 * listener.name.<lower-case listener name>.<setting>.
 */
import { SslPrincipalMapper } from "../server/ssl-principal-mapper.js";
import { cipherSuiteList } from "./cipher-suites.js";
import { type Kind, listOf, oneOf, password, text } from "./kinds.js";
import { type SectionValues, setting } from "./setting.js";

export const TLS_VERSIONS = ["TLSv1.2", "TLSv1.3"] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** Kafka's store types; only PEM is served (listener-plan refuses the others by name). */
export const STORE_TYPES = ["PEM", "JKS", "PKCS12"] as const;

/** ssl.principal.mapping.rules, checked when read. */
function mappingRules(): Kind<string> {
  return {
    type: "string",
    parse(raw) {
      SslPrincipalMapper.parse(raw.trim());
      return raw.trim();
    },
    format: (v) => v,
  };
}

export const SSL_SETTINGS = {
  keystoreType: setting({
    name: "ssl.keystore.type",
    kind: oneOf(STORE_TYPES, true),
    default: "PEM",
    importance: "medium",
    doc: "Format of the key and certificate chain: PEM only (Kafka's JKS default is not served).",
  }),
  keystoreLocation: setting({
    name: "ssl.keystore.location",
    kind: text(false),
    default: "",
    defaultText: "(none)",
    importance: "high",
    doc: "PEM file with the private key and the certificate chain of an SSL listener; reloaded when it changes.",
  }),
  keystoreKey: setting({
    name: "ssl.keystore.key",
    kind: password(),
    default: "",
    defaultText: "(none)",
    importance: "high",
    doc: "The private key as inline PEM text (instead of ssl.keystore.location).",
  }),
  keystoreCertificateChain: setting({
    name: "ssl.keystore.certificate.chain",
    kind: password(),
    default: "",
    defaultText: "(none)",
    importance: "high",
    doc: "The certificate chain as inline PEM text (with ssl.keystore.key).",
  }),
  keyPassword: setting({
    name: "ssl.key.password",
    kind: password(),
    default: "",
    defaultText: "(none)",
    importance: "high",
    doc: "Password of an encrypted private key.",
  }),
  truststoreType: setting({
    name: "ssl.truststore.type",
    kind: oneOf(STORE_TYPES, true),
    default: "PEM",
    importance: "medium",
    doc: "Format of the trusted certificates: PEM only.",
  }),
  truststoreLocation: setting({
    name: "ssl.truststore.location",
    kind: text(false),
    default: "",
    defaultText: "(none)",
    importance: "high",
    doc: "PEM file of the CA certificates client certificates are checked against; reloaded when it changes.",
  }),
  truststoreCertificates: setting({
    name: "ssl.truststore.certificates",
    kind: password(),
    default: "",
    defaultText: "(none)",
    importance: "high",
    doc: "Trusted CA certificates as inline PEM text (instead of ssl.truststore.location).",
  }),
  enabledProtocols: setting<TlsVersion[]>({
    name: "ssl.enabled.protocols",
    kind: listOf(TLS_VERSIONS),
    default: ["TLSv1.2", "TLSv1.3"],
    importance: "medium",
    doc: "TLS versions an SSL listener accepts (TLSv1.2, TLSv1.3).",
  }),
  cipherSuites: setting<string[]>({
    name: "ssl.cipher.suites",
    kind: cipherSuiteList(),
    default: [],
    defaultText: "(OpenSSL's defaults)",
    importance: "low",
    doc: "Cipher suites an SSL listener may use, by IANA (Java) name (TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256); a TLS version none of them serves is not offered.",
  }),
  protocol: setting({
    name: "ssl.protocol",
    kind: oneOf(["TLSv1.2", "TLSv1.3", "TLS"]),
    default: "TLSv1.3",
    importance: "medium",
    doc: "Kafka's SSLContext protocol; accepted and checked, ssl.enabled.protocols decides what is served.",
  }),
  clientAuth: setting({
    name: "ssl.client.auth",
    kind: oneOf(["none", "requested", "required"] as const),
    default: "none",
    importance: "medium",
    doc: "Ask clients for a certificate: required refuses a client without a trusted one; requested takes it when offered.",
  }),
  principalMappingRules: setting({
    name: "ssl.principal.mapping.rules",
    kind: mappingRules(),
    default: "DEFAULT",
    importance: "low",
    doc: "RULE:pattern/replacement/[LU] and DEFAULT, comma-separated: how a client certificate's subject becomes the principal name.",
  }),
};

export type SslSettings = SectionValues<typeof SSL_SETTINGS>;
