/**
 * Per-connection SASL state, as Kafka's SaslServerAuthenticator keeps it. On a SASL listener a connection
 * starts in `handshake` (only ApiVersions and SaslHandshake are served), moves to `authenticate` once a
 * mechanism was agreed (only SaslAuthenticate), and to `authenticated` when the mechanism's exchange
 * succeeded; any failure answers with its error code and closes the connection (after a v0 handshake the
 * tokens travel bare, and a failure just closes it, as Kafka does). On a listener without SASL
 * the connection is `open` and the two SASL APIs answer ILLEGAL_SASL_STATE, as KafkaApis does.
 */
import { ApiKey } from '../apis/api.js';
import { ErrorCode } from '../error-codes.js';
import { SCRAM_HASHES, type ScramCredential, ScramError, type ScramMechanism, ScramServer } from './scram.js';

export type SaslMechanism = 'PLAIN' | ScramMechanism;
export const SASL_MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

/** What the listener accepts: enabled mechanisms (in the order advertised) and the user database. */
export interface SaslListenerConfig {
  mechanisms: readonly SaslMechanism[];
  /** PLAIN passwords by user. */
  passwords: ReadonlyMap<string, string>;
  /** SCRAM credentials by mechanism, then user (what `kafka-configs --alter --add-config SCRAM-...` stores). */
  scram: ReadonlyMap<ScramMechanism, ReadonlyMap<string, ScramCredential>>;
}

/** One authentication outcome, for tests to assert on (`TestKafkaBroker.authLog`). */
export type AuthEvent =
  | { kind: 'tls'; ok: true; clientSubject: string | null }
  | { kind: 'tls'; ok: false; reason: string }
  | { kind: 'sasl'; ok: boolean; mechanism: string; user: string; reason?: string };

/** The answer to a SASL request: an error code, Kafka's error message, and the mechanism's bytes. */
export interface SaslReply {
  errorCode: number;
  errorMessage: string | null;
  bytes: Buffer;
}

type State = 'open' | 'handshake' | 'authenticate' | 'authenticated';

/** Kafka's message for a SaslException from the SCRAM server (the detail stays in the broker's log). */
const scramFailure = (mechanism: string) =>
  `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`;

export class ConnectionAuth {
  #config: SaslListenerConfig | undefined;
  #onEvent: (event: AuthEvent) => void;
  #state: State;
  #mechanism: SaslMechanism | null = null;
  #scram: ScramServer | null = null;
  #rawTokens = false;
  /** Set when the response being written must be the last one: the server closes the connection after it. */
  closeAfterResponse = false;

  constructor(config: SaslListenerConfig | undefined, onEvent: (event: AuthEvent) => void) {
    this.#config = config;
    this.#onEvent = onEvent;
    this.#state = config === undefined ? 'open' : 'handshake';
  }

  /** Whether a request of `apiKey` may be handed to its handler in the current state. */
  admits(apiKey: number): boolean {
    switch (this.#state) {
      case 'open':
      case 'authenticated':
        return true;
      case 'handshake':
        return (
          apiKey === ApiKey.ApiVersions ||
          apiKey === ApiKey.SaslHandshake ||
          apiKey === ApiKey.SaslAuthenticate
        );
      case 'authenticate':
        return apiKey === ApiKey.SaslAuthenticate || apiKey === ApiKey.SaslHandshake;
    }
  }

  /** A request refused by {@link admits}: Kafka closes such a connection without an answer. */
  refuse(apiKey: number): void {
    this.#onEvent({
      kind: 'sasl',
      ok: false,
      mechanism: this.#mechanism ?? '',
      user: '',
      reason: `request with api key ${apiKey} before authentication`,
    });
  }

  /**
   * True after a SaslHandshake v0: the client then sends the mechanism's tokens as bare size-delimited frames
   * (no Kafka header), and gets bare frames back, until the exchange is over.
   */
  get expectsRawToken(): boolean {
    return this.#rawTokens && this.#state === 'authenticate';
  }

  /** SaslHandshake: agree on a mechanism. Returns the error code; the enabled mechanisms go with it. */
  handshake(mechanism: string, version: number): { errorCode: number; mechanisms: readonly string[] } {
    const config = this.#config;
    if (config === undefined || this.#state !== 'handshake') {
      if (config !== undefined) this.closeAfterResponse = true;
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: config?.mechanisms ?? [] };
    }
    const chosen = config.mechanisms.find((m) => m === mechanism);
    if (chosen === undefined) {
      this.closeAfterResponse = true;
      this.#onEvent({ kind: 'sasl', ok: false, mechanism, user: '', reason: 'unsupported mechanism' });
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: config.mechanisms };
    }
    this.#mechanism = chosen;
    this.#state = 'authenticate';
    this.#rawTokens = version === 0;
    if (chosen !== 'PLAIN') {
      const credentials = config.scram.get(chosen);
      this.#scram = new ScramServer(SCRAM_HASHES[chosen], (user) => credentials?.get(user));
    }
    return { errorCode: ErrorCode.NONE, mechanisms: config.mechanisms };
  }

  /** SaslAuthenticate: one token of the agreed mechanism's exchange. */
  authenticate(token: Buffer): SaslReply {
    const mechanism = this.#mechanism;
    if (this.#config === undefined || this.#state !== 'authenticate' || mechanism === null) {
      if (this.#config !== undefined) this.closeAfterResponse = true;
      return this.#reply(
        ErrorCode.ILLEGAL_SASL_STATE,
        `SaslAuthenticate not expected in state ${this.#state}`,
      );
    }
    return mechanism === 'PLAIN' ? this.#plain(token) : this.#scramStep(mechanism, token);
  }

  /** PLAIN (RFC 4616): `authzid NUL authcid NUL passwd`; Kafka allows an authzid only equal to the user. */
  #plain(token: Buffer): SaslReply {
    const parts = token.toString('utf8').split('\0');
    const [authzid, user, password] = parts.length === 3 ? parts : ['', '', undefined];
    const expected = this.#config?.passwords.get(user as string);
    let reason: string | undefined;
    if (password === undefined) reason = 'malformed PLAIN token';
    else if (authzid !== '' && authzid !== user) reason = `authzid "${authzid}" is not the user`;
    else if (expected === undefined) reason = `unknown user "${user}"`;
    else if (expected !== password) reason = `wrong password for user "${user}"`;
    this.#onEvent({
      kind: 'sasl',
      ok: reason === undefined,
      mechanism: 'PLAIN',
      user: user as string,
      reason,
    });
    if (reason !== undefined) {
      this.closeAfterResponse = true;
      return this.#reply(
        ErrorCode.SASL_AUTHENTICATION_FAILED,
        'Authentication failed: Invalid username or password',
      );
    }
    this.#state = 'authenticated';
    return this.#reply(ErrorCode.NONE, null);
  }

  #scramStep(mechanism: ScramMechanism, token: Buffer): SaslReply {
    const scram = this.#scram as ScramServer;
    try {
      const answer = Buffer.from(scram.step(token), 'utf8');
      if (scram.complete) {
        this.#state = 'authenticated';
        this.#onEvent({ kind: 'sasl', ok: true, mechanism, user: scram.user });
      }
      return this.#reply(ErrorCode.NONE, null, answer);
    } catch (err) {
      if (!(err instanceof ScramError)) throw err;
      this.closeAfterResponse = true;
      this.#onEvent({ kind: 'sasl', ok: false, mechanism, user: scram.user, reason: err.message });
      return this.#reply(ErrorCode.SASL_AUTHENTICATION_FAILED, scramFailure(mechanism));
    }
  }

  #reply(errorCode: number, errorMessage: string | null, bytes: Buffer = Buffer.alloc(0)): SaslReply {
    return { errorCode, errorMessage, bytes };
  }
}
