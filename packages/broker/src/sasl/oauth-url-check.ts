/**
 * Kafka 4's checks of an OAuth URL (its ConfigurationUtils.validateUrl), with its
 * messages: a URL with the http, https or file protocol, and one listed in
 * org.apache.kafka.sasl.oauthbearer.allowed.urls (compared as written, after trimming),
 * which is empty by default so that no URL is fetched unless the operator allows it.
 */
import { ALLOWED_URLS } from "../config/oauth-settings.js";

const PROTOCOLS = ["http", "https", "file"];

/** Why the URL of OAuth setting `name` cannot be used; empty when it can. */
export function oauthUrlErrors(name: string, raw: string, allowed: readonly string[]): string[] {
  const url = raw.trim();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return [
      `The OAuth configuration option ${name} contains a URL (${url}) that is malformed: ${why}`,
    ];
  }
  const protocol = parsed.protocol.slice(0, -1).toLowerCase();
  if (!PROTOCOLS.includes(protocol))
    return [
      `The OAuth configuration option ${name} contains a URL (${url}) that contains an invalid protocol (${protocol}); only "http", "https", and "file" protocol are supported`,
    ];
  if (!allowed.includes(url))
    return [
      `Invalid value ${url} for configuration ${name}: The URL cannot be accessed due to restrictions. Update the setting '${ALLOWED_URLS}' to allow the URL to be accessed.`,
    ];
  return [];
}
