/**
 * Which validator checks a listener's OAUTHBEARER tokens, chosen as Kafka chooses it:
 * listener.name.<l>.oauthbearer.sasl.server.callback.handler.class unset (or Kafka's
 * unsecured handler) takes unsigned development tokens with the options of the
 * listener's oauthbearer.sasl.jaas.config; Kafka's OAuthBearerValidatorCallbackHandler
 * checks signed JWTs against sasl.oauthbearer.jwks.endpoint.url, which as in Kafka 4.4
 * must be listed in org.apache.kafka.sasl.oauthbearer.allowed.urls and needs the expected
 * audience and issuer unless each is explicitly left unverified. Every sasl.oauthbearer.*
 * setting is the listener's (config/listener-overrides.ts listenerOAuthSettings); an
 * https: JWKS is fetched with the ssl.* options of the listener's JAAS config.
 */
import type { BrokerConfig } from "../config/broker-config.js";
import { listenerOAuthSettings, listenerOverride } from "../config/listener-overrides.js";
import { type JaasModule, optionsOf } from "./jaas-config.js";
import { jwksTlsOf } from "./oauth-jwks-source.js";
import { SignedJwtValidator } from "./oauth-jwt-validator.js";
import type { TokenValidator } from "./oauth-token.js";
import { UnsecuredJwsValidator, unsecuredValidatorOptions } from "./oauth-unsecured-validator.js";
import { oauthUrlErrors } from "./oauth-url-check.js";

const PACKAGE = "org.apache.kafka.common.security.oauthbearer";
export const SIGNED_VALIDATOR_HANDLER = `${PACKAGE}.OAuthBearerValidatorCallbackHandler`;
export const UNSECURED_VALIDATOR_HANDLER = `${PACKAGE}.internals.unsecured.OAuthBearerUnsecuredValidatorCallbackHandler`;
export const CALLBACK_HANDLER_KEY = "oauthbearer.sasl.server.callback.handler.class";

function handlerOf(config: BrokerConfig, listenerName: string): string {
  return listenerOverride(config, listenerName, CALLBACK_HANDLER_KEY)?.trim() ?? "";
}

/** Why the listener's OAUTHBEARER validator cannot be made; empty when it can. */
export function oauthValidatorErrors(
  config: BrokerConfig,
  listenerName: string,
  jaas: readonly JaasModule[],
): string[] {
  // Throws JaasConfigError on a bad unsecuredValidator* option.
  unsecuredValidatorOptions(optionsOf(jaas));
  const key = `listener.name.${listenerName.toLowerCase()}.${CALLBACK_HANDLER_KEY}`;
  const handler = handlerOf(config, listenerName);
  if (handler === "" || handler === UNSECURED_VALIDATOR_HANDLER) return [];
  if (handler !== SIGNED_VALIDATOR_HANDLER)
    return [
      `${key}: class ${handler} is not served (Logbook serves ${SIGNED_VALIDATOR_HANDLER} and ${UNSECURED_VALIDATOR_HANDLER})`,
    ];
  const o = listenerOAuthSettings(config, listenerName);
  const url = o.jwksEndpointUrl;
  if (url === "") return [`${key} checks signed tokens: set sasl.oauthbearer.jwks.endpoint.url`];
  // Throws JaasConfigError on a bad ssl.* option.
  jwksTlsOf(optionsOf(jaas));
  // Kafka 4's allowed URLs are broker-wide, as the JVM system property they stand for.
  const errors = oauthUrlErrors(
    "sasl.oauthbearer.jwks.endpoint.url",
    url,
    config.oauth.allowedUrls,
  );
  // As Kafka 4.4: a JWKS needs the audience and issuer to check, unless opted out.
  if (o.expectedAudience.length === 0 && !o.allowUnverifiedAudience)
    errors.push(
      "sasl.oauthbearer.jwks.endpoint.url needs sasl.oauthbearer.expected.audience (or sasl.oauthbearer.allow.unverified.audience=true)",
    );
  if (o.expectedIssuer === "" && !o.allowUnverifiedIssuer)
    errors.push(
      "sasl.oauthbearer.jwks.endpoint.url needs sasl.oauthbearer.expected.issuer (or sasl.oauthbearer.allow.unverified.issuer=true)",
    );
  return errors;
}

/** The listener's validator; its settings were checked by oauthValidatorErrors. */
export function oauthValidatorOf(
  config: BrokerConfig,
  listenerName: string,
  jaas: readonly JaasModule[],
): TokenValidator {
  if (handlerOf(config, listenerName) === SIGNED_VALIDATOR_HANDLER)
    return new SignedJwtValidator(
      listenerOAuthSettings(config, listenerName),
      jwksTlsOf(optionsOf(jaas)),
    );
  return new UnsecuredJwsValidator(unsecuredValidatorOptions(optionsOf(jaas)));
}
