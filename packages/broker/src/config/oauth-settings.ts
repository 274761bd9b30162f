/**
 * SASL/OAUTHBEARER settings (BrokerConfig.oauth), as Kafka names them: how a listener
 * whose server callback handler is Kafka's OAuthBearerValidatorCallbackHandler checks
 * signed JWTs (sasl/oauth-jwt-validator.ts). Each sasl.oauthbearer.* setting can be
 * given for one listener (config/listener-overrides.ts). The unsecured development form
 * takes its options from the listener's oauthbearer.sasl.jaas.config instead.
 */
import { parseList } from "../metadata/config-values.js";
import { bool, ConfigValueError, int, type Kind, long, text } from "./kinds.js";
import { type SectionValues, setting } from "./setting.js";

/** A comma-separated list that may be empty (Kafka's LIST with a null default). */
function optionalList(): Kind<string[]> {
  return { type: "list", parse: (raw) => parseList(raw), format: (items) => items.join(",") };
}

const VALIDATORS = "org.apache.kafka.common.security.oauthbearer";
/** Kafka's default, which on a broker is its BrokerJwtValidator. */
export const DEFAULT_JWT_VALIDATOR = `${VALIDATORS}.DefaultJwtValidator`;
const BROKER_JWT_VALIDATOR = `${VALIDATORS}.BrokerJwtValidator`;

/** Kafka's broker-side JWT validators, the ones Logbook's signed-token checks stand for. */
function jwtValidatorClass(): Kind<string> {
  return {
    type: "class",
    parse(raw) {
      const v = raw.trim();
      if (v !== DEFAULT_JWT_VALIDATOR && v !== BROKER_JWT_VALIDATOR)
        throw new ConfigValueError(
          `Class ${v} cannot be found (Logbook serves ${DEFAULT_JWT_VALIDATOR} and ${BROKER_JWT_VALIDATOR})`,
        );
      return v;
    },
    format: (v) => v,
  };
}

/**
 * Kafka 4's JVM system property of the same name: the URLs OAuth code may fetch (JWKS
 * and token endpoints, file: URLs too), none by default. Logbook has no JVM, so it is a
 * setting with the property's name; it is broker-wide, as a system property is.
 */
export const ALLOWED_URLS = "org.apache.kafka.sasl.oauthbearer.allowed.urls";

export const OAUTH_SETTINGS = {
  allowedUrls: setting({
    name: ALLOWED_URLS,
    kind: optionalList(),
    default: [],
    defaultText: "(empty: no URL)",
    importance: "medium",
    doc: "The URLs (comma-separated, each as written in sasl.oauthbearer.jwks.endpoint.url) the broker may read OAUTHBEARER keys from; Kafka 4's system property of this name, empty by default, so a JWKS URL must be listed.",
  }),
  jwtValidatorClass: setting({
    name: "sasl.oauthbearer.jwt.validator.class",
    kind: jwtValidatorClass(),
    default: DEFAULT_JWT_VALIDATOR,
    importance: "low",
    doc: "How signed OAUTHBEARER tokens are checked: Kafka's DefaultJwtValidator or BrokerJwtValidator, the same on a broker.",
  }),
  jwksEndpointUrl: setting({
    name: "sasl.oauthbearer.jwks.endpoint.url",
    kind: text(false),
    default: "",
    defaultText: "(empty)",
    importance: "medium",
    doc: `Where the keys that sign OAUTHBEARER tokens are published (a JWKS): an https:, http: or file: URL listed in ${ALLOWED_URLS}.`,
  }),
  jwksEndpointRefreshMs: setting({
    name: "sasl.oauthbearer.jwks.endpoint.refresh.ms",
    kind: long(0),
    default: 3_600_000,
    importance: "low",
    doc: "How long the keys read from sasl.oauthbearer.jwks.endpoint.url are used before they are read again; a token naming a key id they lack has them read at once (at most once a minute per key id).",
  }),
  expectedAudience: setting({
    name: "sasl.oauthbearer.expected.audience",
    kind: optionalList(),
    default: [],
    defaultText: "(empty)",
    importance: "low",
    doc: 'Audiences of which a token\'s "aud" claim must name one; required with a JWKS URL unless sasl.oauthbearer.allow.unverified.audience.',
  }),
  allowUnverifiedAudience: setting({
    name: "sasl.oauthbearer.allow.unverified.audience",
    kind: bool(),
    default: false,
    importance: "low",
    doc: 'Accept signed tokens whatever their "aud" claim when no audience is expected (insecure).',
  }),
  expectedIssuer: setting({
    name: "sasl.oauthbearer.expected.issuer",
    kind: text(false),
    default: "",
    defaultText: "(empty)",
    importance: "low",
    doc: 'The issuer a token\'s "iss" claim must name; required with a JWKS URL unless sasl.oauthbearer.allow.unverified.issuer.',
  }),
  allowUnverifiedIssuer: setting({
    name: "sasl.oauthbearer.allow.unverified.issuer",
    kind: bool(),
    default: false,
    importance: "low",
    doc: 'Accept signed tokens whatever their "iss" claim when no issuer is expected (insecure).',
  }),
  subClaimName: setting({
    name: "sasl.oauthbearer.sub.claim.name",
    kind: text(true),
    default: "sub",
    importance: "low",
    doc: "The claim that names the token's principal (User:<value>).",
  }),
  scopeClaimName: setting({
    name: "sasl.oauthbearer.scope.claim.name",
    kind: text(true),
    default: "scope",
    importance: "low",
    doc: "The claim that holds the token's scope.",
  }),
  clockSkewSeconds: setting({
    name: "sasl.oauthbearer.clock.skew.seconds",
    kind: int(0),
    default: 30,
    importance: "low",
    doc: "How far the token issuer's clock may be from the broker's when exp and iat are checked.",
  }),
};

export type OAuthConfig = SectionValues<typeof OAUTH_SETTINGS>;
