/**
 * The SASL settings of each listener, from the broker's configuration: its mechanisms
 * (listener.name.<l>.sasl.enabled.mechanisms, else sasl.enabled.mechanisms), for
 * PLAIN the users of listener.name.<l>.plain.sasl.jaas.config, and for OAUTHBEARER its
 * token validator (oauth-validator-of.ts). Checked at start-up.
 */

import { listenerOverride } from "../config/listener-overrides.js";
import { SASL_SETTINGS } from "../config/sasl-settings.js";
import type { BrokerConfig } from "../config.js";
import { JaasConfigError, parseJaasConfig, plainUsersOf } from "./jaas-config.js";
import { OAUTHBEARER } from "./oauth-exchange.js";
import { oauthValidatorErrors, oauthValidatorOf } from "./oauth-validator-of.js";
import type { SaslListenerSettings, SaslSettings } from "./sasl-authenticator.js";

/** The mechanisms Logbook's SASL listeners can serve. */
export const SERVED_MECHANISMS: readonly string[] = [
  "PLAIN",
  "SCRAM-SHA-256",
  "SCRAM-SHA-512",
  OAUTHBEARER,
];

function mechanismsOf(config: BrokerConfig, listenerName: string): readonly string[] {
  const raw = listenerOverride(config, listenerName, SASL_SETTINGS.enabledMechanisms.name);
  return raw === undefined
    ? config.sasl.enabledMechanisms
    : SASL_SETTINGS.enabledMechanisms.kind.parse(raw);
}

const jaasKey = (mechanism: string) => `${mechanism.toLowerCase()}.sasl.jaas.config`;

function listenerSettings(config: BrokerConfig, listenerName: string): SaslListenerSettings {
  const mechanisms = mechanismsOf(config, listenerName);
  const jaas = listenerOverride(config, listenerName, jaasKey("PLAIN"));
  const plainUsers =
    mechanisms.includes("PLAIN") && jaas !== undefined
      ? plainUsersOf(parseJaasConfig(jaas))
      : new Map<string, string>();
  const oauthJaas = listenerOverride(config, listenerName, jaasKey(OAUTHBEARER));
  if (!mechanisms.includes(OAUTHBEARER) || oauthJaas === undefined)
    return { mechanisms, plainUsers };
  const oauthValidator = oauthValidatorOf(config, listenerName, parseJaasConfig(oauthJaas));
  return { mechanisms, plainUsers, oauthValidator };
}

/** Why a SASL listener's settings cannot be served; empty when they can. */
export function saslListenerErrors(config: BrokerConfig, listenerName: string): string[] {
  const where = `SASL listener ${listenerName}`;
  const mechanisms = mechanismsOf(config, listenerName);
  const errors = mechanisms
    .filter((m) => !SERVED_MECHANISMS.includes(m))
    .map(
      (m) =>
        `${where}: SASL mechanism ${m} is not served (Logbook serves ${SERVED_MECHANISMS.join(", ")}; set sasl.enabled.mechanisms)`,
    );
  for (const m of mechanisms) {
    const key = `listener.name.${listenerName.toLowerCase()}.${jaasKey(m)}`;
    const jaas = listenerOverride(config, listenerName, jaasKey(m));
    if (jaas === undefined) {
      if (m === "PLAIN")
        errors.push(
          `${where} enables PLAIN but has no users: set ${key} with user_<name>="<password>" options`,
        );
      if (m === OAUTHBEARER)
        errors.push(
          `${where} enables OAUTHBEARER but has no JAAS config: set ${key} (e.g. to org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;)`,
        );
      continue;
    }
    try {
      const modules = parseJaasConfig(jaas);
      if (m === OAUTHBEARER) errors.push(...oauthValidatorErrors(config, listenerName, modules));
    } catch (e) {
      if (!(e instanceof JaasConfigError)) throw e;
      errors.push(`${key}: ${e.message}`);
    }
  }
  return errors;
}

/** Every listener's SASL settings, read once at start-up. */
export function saslSettingsOf(config: BrokerConfig): SaslSettings {
  const byListener = new Map<string, SaslListenerSettings>();
  return {
    listener(name) {
      let s = byListener.get(name);
      if (s === undefined) {
        s = listenerSettings(config, name);
        byListener.set(name, s);
      }
      return s;
    },
    maxReauthMs: config.sasl.maxReauthMs,
    failedAuthenticationDelayMs: config.sasl.failedAuthenticationDelayMs,
  };
}
