/**
 * OAUTHBEARER's messages (RFC 7628): the client's first message
 * `n,[a=<authzid>],\x01auth=Bearer <token>\x01[key=value\x01]...\x01` with Kafka's SASL
 * extensions as the extra key=value pairs, and the server's JSON error reply.
 */

const SEPARATOR = "\u0001";
/** RFC 6750's b64token. */
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const KEY = /^[A-Za-z]+$/;
const VALUE = /^[\x21-\x7E \t\r\n]*$/;
/** The key that carries the token, so no extension may be called so. */
const AUTH_KEY = "auth";

export interface OAuthClientMessage {
  /** The authorization id of the GS2 header; empty when the client gave none. */
  readonly authorizationId: string;
  readonly token: string;
  /** Kafka's SASL extensions: every key=value pair but auth. */
  readonly extensions: ReadonlyMap<string, string>;
}

export class OAuthMessageError extends Error {
  override readonly name = "OAuthMessageError";
}

function gs2AuthorizationId(header: string): string {
  // "n,," or "n,a=<authzid>,": channel binding is not supported, so only "n".
  const m = /^n,(?:a=([^,]*))?,$/.exec(header);
  if (m === null) throw new OAuthMessageError(`Invalid OAUTHBEARER GS2 header: ${header}`);
  return m[1] ?? "";
}

export function parseClientMessage(message: Buffer): OAuthClientMessage {
  const text = message.toString("utf8");
  const first = text.indexOf(SEPARATOR);
  if (first < 0 || !text.endsWith(SEPARATOR + SEPARATOR))
    throw new OAuthMessageError("Invalid OAUTHBEARER client first message");
  const authorizationId = gs2AuthorizationId(text.slice(0, first));
  const pairs = text.slice(first + 1, -2).split(SEPARATOR);
  let token: string | undefined;
  const extensions = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    const key = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? "" : pair.slice(eq + 1);
    if (eq <= 0 || !KEY.test(key) || !VALUE.test(value))
      throw new OAuthMessageError(`Invalid OAUTHBEARER key/value pair: ${key}`);
    if (key === AUTH_KEY) {
      const m = /^Bearer +(\S+)$/i.exec(value);
      if (m === null || !TOKEN.test(m[1] as string))
        throw new OAuthMessageError("Invalid OAUTHBEARER auth value: expected Bearer <token>");
      token = m[1] as string;
    } else {
      extensions.set(key, value);
    }
  }
  if (token === undefined) throw new OAuthMessageError("OAUTHBEARER client message has no auth");
  return { authorizationId, token, extensions };
}

/** The client's side, for tests and tools: what an OAUTHBEARER client sends first. */
export function clientMessage(
  token: string,
  extensions: ReadonlyMap<string, string> = new Map(),
  authorizationId = "",
): Buffer {
  const header = authorizationId === "" ? "n,," : `n,a=${authorizationId},`;
  const ext = [...extensions].map(([k, v]) => `${k}=${v}${SEPARATOR}`).join("");
  return Buffer.from(
    `${header}${SEPARATOR}auth=Bearer ${token}${SEPARATOR}${ext}${SEPARATOR}`,
    "utf8",
  );
}

/** The server's reply to a refused token (RFC 7628 section 3.2.2), in Kafka's form. */
export function errorReply(status: string, scope?: string): string {
  const withScope = scope === undefined ? "" : `, "scope":"${scope}"`;
  return `{"status":"${status}"${withScope}}`;
}

/** The client's answer to an error reply: a lone \x01, after which the server fails. */
export function isErrorAcknowledgement(message: Buffer): boolean {
  return message.length === 1 && message[0] === 1;
}
