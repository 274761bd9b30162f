/**
 * SASL on a connection, as Kafka's SaslServerAuthenticator runs it: SaslHandshake picks
 * a mechanism, SaslAuthenticate carries its tokens until the mechanism names the user,
 * then the session's principal is User:<name>. On a SASL listener nothing but
 * ApiVersions and these two APIs is served before that. With connections.max.reauth.ms
 * the session expires and the client re-authenticates on the same connection (KIP-368)
 * as the same principal with the same mechanism; a connection that lets its session
 * lapse is closed at its next request.
 */
import { scramMechanismByName } from "@logbook/client";
import { ErrorCode } from "@logbook/protocol";
import type { Logger } from "@logbook/storage";
import type { ClientSession } from "../server/client-session.js";
import { OAUTHBEARER, OAuthBearerServerExchange } from "./oauth-exchange.js";
import type { TokenValidator } from "./oauth-token.js";
import { PlainServerExchange } from "./plain-exchange.js";
import { SaslAuthenticationError } from "./sasl-error.js";
import type { SaslExchange, SaslStep } from "./sasl-exchange.js";
import type { ScramCredentials } from "./scram-credentials.js";
import { ScramServerExchange } from "./scram-exchange.js";

/**
 * What a listener accepts: its mechanisms, for PLAIN its users' passwords, and for
 * OAUTHBEARER the validator of its tokens.
 */
export interface SaslListenerSettings {
  readonly mechanisms: readonly string[];
  readonly plainUsers: ReadonlyMap<string, string>;
  readonly oauthValidator?: TokenValidator;
}

export interface SaslSettings {
  /** By listener name (upper case). */
  listener(name: string): SaslListenerSettings;
  /** connections.max.reauth.ms; 0 = sessions never expire. */
  readonly maxReauthMs: number;
  /** connection.failed.authentication.delay.ms: a refusal waits this long. */
  readonly failedAuthenticationDelayMs: number;
}

/** APIs a SASL connection may use before it has authenticated. */
export const SASL_PHASE_API_KEYS: ReadonlySet<number> = new Set([17, 18, 36]);

interface Conversation {
  mechanism: string;
  exchange: SaslExchange;
}

interface ConnectionSasl {
  /** The mechanism chosen by the last handshake, while its exchange runs. */
  conversation: Conversation | null;
  /** After a v0 handshake the tokens come as bare size-prefixed frames, not SaslAuthenticate. */
  raw: boolean;
  /** The mechanism that authenticated the session (re-authentication must keep it). */
  authenticatedWith: string | null;
  /** When the authenticated session lapses (KIP-368), or never. */
  expiresAtMs: number;
}

export interface HandshakeAnswer {
  readonly errorCode: number;
  readonly mechanisms: readonly string[];
}

export interface AuthenticateAnswer {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly authBytes: Buffer;
  readonly sessionLifetimeMs: number;
}

export type Admission = "serve" | "unauthenticated" | "expired";

export class SaslAuthenticator {
  private readonly connections = new WeakMap<ClientSession, ConnectionSasl>();

  constructor(
    private readonly settings: SaslSettings,
    private readonly scram: ScramCredentials,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  private stateOf(session: ClientSession): ConnectionSasl {
    let s = this.connections.get(session);
    if (s === undefined) {
      s = {
        conversation: null,
        raw: false,
        authenticatedWith: null,
        expiresAtMs: Number.POSITIVE_INFINITY,
      };
      this.connections.set(session, s);
    }
    return s;
  }

  private static isSasl(session: ClientSession): boolean {
    return session.securityProtocol === "SASL_PLAINTEXT" || session.securityProtocol === "SASL_SSL";
  }

  /** Whether the dispatcher may serve `apiKey` on this connection now. */
  admit(session: ClientSession, apiKey: number): Admission {
    if (SASL_PHASE_API_KEYS.has(apiKey)) return "serve";
    if (!session.authenticated) return "unauthenticated";
    if (!SaslAuthenticator.isSasl(session)) return "serve";
    return this.now() >= this.stateOf(session).expiresAtMs ? "expired" : "serve";
  }

  /** `version` 0 means the tokens follow as bare frames (kafka-python 2.0 speaks so). */
  handshake(session: ClientSession, mechanism: string, version = 1): HandshakeAnswer {
    if (!SaslAuthenticator.isSasl(session))
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
    const enabled = this.settings.listener(session.listenerName).mechanisms;
    const state = this.stateOf(session);
    if (!enabled.includes(mechanism)) {
      session.closeAfterResponse = true;
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: enabled };
    }
    if (state.authenticatedWith !== null && state.authenticatedWith !== mechanism) {
      // KIP-368: a re-authentication must use the mechanism the session started with.
      session.closeAfterResponse = true;
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: enabled };
    }
    state.conversation = { mechanism, exchange: this.exchangeFor(session, mechanism) };
    state.raw = version === 0;
    return { errorCode: ErrorCode.NONE, mechanisms: enabled };
  }

  private exchangeFor(session: ClientSession, mechanism: string): SaslExchange {
    const scram = scramMechanismByName(mechanism);
    if (scram !== undefined)
      return new ScramServerExchange(scram, (user, m) => this.scram.keysOf(user, m));
    if (mechanism === "PLAIN") {
      const users = this.settings.listener(session.listenerName).plainUsers;
      return new PlainServerExchange((user) => users.get(user));
    }
    const validator = this.settings.listener(session.listenerName).oauthValidator;
    if (mechanism === OAUTHBEARER && validator !== undefined)
      return new OAuthBearerServerExchange(validator);
    // Only mechanisms validated at start-up are enabled, so this is a bug.
    throw new Error(`no SASL server for mechanism ${mechanism}`);
  }

  /** Whether the connection's next frame is a bare SASL token (after a v0 handshake). */
  expectsRawToken(session: ClientSession): boolean {
    // Asked of every request: connections without SASL answer without a map lookup.
    if (!SaslAuthenticator.isSasl(session)) return false;
    const s = this.connections.get(session);
    return s?.raw === true && s.conversation !== null;
  }

  /**
   * A bare token after a v0 handshake: the reply token, or null when authentication
   * failed, for which the bare framing has no answer but closing the connection.
   */
  async rawToken(session: ClientSession, token: Buffer): Promise<Buffer | null> {
    const answer = await this.authenticate(session, token);
    if (answer.errorCode !== ErrorCode.NONE) return null;
    return answer.authBytes;
  }

  async authenticate(session: ClientSession, token: Buffer): Promise<AuthenticateAnswer> {
    const state = this.stateOf(session);
    const conversation = state.conversation;
    if (!SaslAuthenticator.isSasl(session) || conversation === null) {
      if (SaslAuthenticator.isSasl(session)) session.closeAfterResponse = true;
      return {
        errorCode: ErrorCode.ILLEGAL_SASL_STATE,
        errorMessage: session.authenticated
          ? "SaslAuthenticate request received after successful authentication"
          : "SaslAuthenticate request received before SaslHandshake",
        authBytes: Buffer.alloc(0),
        sessionLifetimeMs: 0,
      };
    }
    try {
      const step = await conversation.exchange.evaluate(token);
      if (step.refusal !== undefined)
        // Logged now: a client may never acknowledge the refusal (kafkajs does not).
        this.logger.info("refused credential", { peer: session.peer, reason: step.refusal });
      if (step.user === undefined)
        return {
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          authBytes: step.response,
          sessionLifetimeMs: 0,
        };
      return this.completed(session, state, conversation.mechanism, step.user, step);
    } catch (e) {
      if (!(e instanceof SaslAuthenticationError)) throw e;
      return this.refuse(session, state, e);
    }
  }

  private completed(
    session: ClientSession,
    state: ConnectionSasl,
    mechanism: string,
    user: string,
    step: SaslStep,
  ): AuthenticateAnswer | Promise<AuthenticateAnswer> {
    state.conversation = null;
    state.raw = false;
    const reauthenticating = state.authenticatedWith !== null;
    if (
      reauthenticating &&
      (session.principal.type !== "User" || session.principal.name !== user)
    ) {
      return this.refuse(
        session,
        state,
        new SaslAuthenticationError(
          `Cannot change principals during re-authentication from User:${session.principal.name}: User:${user}`,
        ),
      );
    }
    session.principal = { type: "User", name: user };
    session.authenticated = true;
    state.authenticatedWith = mechanism;
    const lifetime = this.sessionLifetimeMs(step.credentialExpiresAtMs);
    state.expiresAtMs =
      this.settings.maxReauthMs > 0 ? this.now() + lifetime : Number.POSITIVE_INFINITY;
    this.logger.debug(reauthenticating ? "re-authenticated" : "authenticated", {
      peer: session.peer,
      principal: `User:${user}`,
      mechanism,
    });
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      authBytes: step.response,
      sessionLifetimeMs: lifetime,
    };
  }

  /**
   * KIP-368: with connections.max.reauth.ms set, a session lasts that long, or less
   * when the credential (an OAUTHBEARER token) expires sooner; 0 = never expires.
   */
  private sessionLifetimeMs(credentialExpiresAtMs: number | undefined): number {
    const max = this.settings.maxReauthMs;
    if (max <= 0) return 0;
    if (credentialExpiresAtMs === undefined) return max;
    return Math.max(0, Math.min(max, credentialExpiresAtMs - this.now()));
  }

  private async refuse(
    session: ClientSession,
    state: ConnectionSasl,
    e: SaslAuthenticationError,
  ): Promise<AuthenticateAnswer> {
    state.conversation = null;
    state.raw = false;
    const reason = e.cause instanceof Error ? e.cause.message : e.message;
    this.logger.info("failed authentication", { peer: session.peer, reason });
    session.closeAfterResponse = true;
    // As Kafka, a refusal is answered late, which slows down guessing passwords.
    const delay = this.settings.failedAuthenticationDelayMs;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    return {
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: e.message,
      authBytes: Buffer.alloc(0),
      sessionLifetimeMs: 0,
    };
  }
}
