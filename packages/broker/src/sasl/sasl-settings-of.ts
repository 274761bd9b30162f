import type { BrokerConfig } from "../config.js";
import type { SaslListenerSettings, SaslSettings } from "./sasl-authenticator.js";

/** The SASL settings of every listener, from the broker's configuration. */
export function saslSettingsOf(config: BrokerConfig): SaslSettings {
  const shared: SaslListenerSettings = {
    mechanisms: config.sasl.enabledMechanisms,
    plainUsers: new Map(),
  };
  return {
    listener: () => shared,
    maxReauthMs: config.sasl.maxReauthMs,
    failedAuthenticationDelayMs: config.sasl.failedAuthenticationDelayMs,
  };
}
