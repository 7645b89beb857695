/**
 * The server side of SCRAM (RFC 5802), with SHA-256 (RFC 7677) and SHA-512 as Kafka offers them:
 * `client-first` → `server-first` (combined nonce, salt, iteration count), `client-final` → proof check →
 * `server-final` (the server signature). Channel binding is not offered (gs2 flag `n` or `y` only), and
 * passwords are used as UTF-8 without SASLprep, as Kafka's ScramFormatter and the clients do. Like Kafka's
 * ScramSaslServer, the client-final nonce need only end with the combined nonce (librdkafka relies on it).
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/** The SCRAM mechanisms and their hash. */
export const SCRAM_HASHES = { 'SCRAM-SHA-256': 'sha256', 'SCRAM-SHA-512': 'sha512' } as const;
export type ScramMechanism = keyof typeof SCRAM_HASHES;
export type ScramHash = (typeof SCRAM_HASHES)[ScramMechanism];

/** What the server stores for a user (never the password): RFC 5802 section 3. */
export interface ScramCredential {
  hash: ScramHash;
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** Kafka's minimum (and kafkajs's): fewer iterations are refused by clients. */
export const DEFAULT_ITERATIONS = 4096;

const hmac = (hash: ScramHash, key: Buffer, data: string | Buffer) =>
  createHmac(hash, key).update(data).digest();
const digest = (hash: ScramHash, data: Buffer) => createHash(hash).update(data).digest();
const DIGEST_BYTES: Record<ScramHash, number> = { sha256: 32, sha512: 64 };

/** SaltedPassword = Hi(password, salt, i); ClientKey, StoredKey and ServerKey from it. */
export function scramCredential(
  password: string,
  hash: ScramHash,
  salt: Buffer = randomBytes(16),
  iterations = DEFAULT_ITERATIONS,
): ScramCredential {
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, DIGEST_BYTES[hash], hash);
  const clientKey = hmac(hash, salted, 'Client Key');
  return {
    hash,
    salt,
    iterations,
    storedKey: digest(hash, clientKey),
    serverKey: hmac(hash, salted, 'Server Key'),
  };
}

/** A failed exchange; `detail` says why (for the broker's auth log, never sent to the client). */
export class ScramError extends Error {
  override readonly name = 'ScramError';
}

/** RFC 5802 `saslname`: `=2C` is `,` and `=3D` is `=`; any other `=` fails the authentication. */
export function decodeSaslName(name: string): string {
  if (/=(?!2C|3D)/.test(name)) throw new ScramError(`invalid saslname "${name}"`);
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/** `k=v` attributes of a SCRAM message, in order. */
function attributes(message: string): [string, string][] {
  return message.split(',').map((part) => {
    if (!/^[A-Za-z]=/.test(part)) throw new ScramError(`malformed attribute "${part}"`);
    return [part[0] as string, part.slice(2)];
  });
}

/** A printable nonce without commas (RFC 5802 `printable`). */
export function scramNonce(): string {
  return randomBytes(24).toString('base64').replace(/[+/=]/g, '');
}

/**
 * One authentication exchange. `lookup` gives the stored credential of a user (undefined = unknown user).
 * `serverNonce` is fixed only by tests that replay an RFC test vector.
 */
export class ScramServer {
  #hash: ScramHash;
  #lookup: (user: string) => ScramCredential | undefined;
  #serverNonce: string;
  #state: 'client-first' | 'client-final' | 'done' = 'client-first';
  #gs2Header = '';
  #clientFirstBare = '';
  #serverFirst = '';
  #nonce = '';
  #credential: ScramCredential | undefined;
  /** The authenticated (or claimed) user, once the client-first message was read. */
  user = '';

  constructor(
    hash: ScramHash,
    lookup: (user: string) => ScramCredential | undefined,
    serverNonce: string = scramNonce(),
  ) {
    this.#hash = hash;
    this.#lookup = lookup;
    this.#serverNonce = serverNonce;
  }

  /** True once the client proved it knows the password. */
  get complete(): boolean {
    return this.#state === 'done';
  }

  /**
   * Reads the client's next message and returns the server's answer.
   * @throws ScramError when the message is malformed, the user unknown or the proof wrong
   */
  step(message: Buffer | string): string {
    const text = typeof message === 'string' ? message : message.toString('utf8');
    switch (this.#state) {
      case 'client-first':
        return this.#clientFirst(text);
      case 'client-final':
        return this.#clientFinal(text);
      case 'done':
        throw new ScramError('message after the exchange completed');
    }
  }

  #clientFirst(text: string): string {
    // gs2-header = cbind-flag "," [ "a=" authzid ] ","
    const m = /^([ny]),(a=[^,]*)?,(.*)$/s.exec(text);
    if (m === null) throw new ScramError('client-first: bad gs2 header (channel binding is not offered)');
    const [, , authzid, bare] = m as unknown as [string, string, string | undefined, string];
    this.#gs2Header = text.slice(0, text.length - bare.length);
    const attrs = attributes(bare);
    if (attrs[0]?.[0] === 'm') throw new ScramError('client-first: mandatory extension not supported');
    const [n, r] = attrs;
    if (n?.[0] !== 'n' || r?.[0] !== 'r' || r[1] === '')
      throw new ScramError('client-first: expected n= and r=');
    this.user = decodeSaslName(n[1]);
    // Kafka accepts an authorization id only when it names the authenticated user.
    if (authzid !== undefined && decodeSaslName(authzid.slice(2)) !== this.user) {
      throw new ScramError(`client-first: authzid "${authzid.slice(2)}" is not the user`);
    }
    this.#credential = this.#lookup(this.user);
    if (this.#credential === undefined) throw new ScramError(`unknown user "${this.user}"`);
    this.#clientFirstBare = bare;
    this.#nonce = r[1] + this.#serverNonce;
    const { salt, iterations } = this.#credential;
    this.#serverFirst = `r=${this.#nonce},s=${salt.toString('base64')},i=${iterations}`;
    this.#state = 'client-final';
    return this.#serverFirst;
  }

  #clientFinal(text: string): string {
    const proofAt = text.lastIndexOf(',p=');
    if (proofAt < 0) throw new ScramError('client-final: no proof');
    const withoutProof = text.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    const [c, r] = attrs;
    if (c?.[0] !== 'c' || Buffer.from(c[1], 'base64').toString('utf8') !== this.#gs2Header) {
      throw new ScramError('client-final: channel binding data does not match the gs2 header');
    }
    // Kafka checks that the nonce *ends with* the combined nonce, not that it equals it: librdkafka sends the
    // client nonce followed by the whole server-first nonce (which starts with the client nonce again).
    if (r?.[0] !== 'r' || !r[1].endsWith(this.#nonce)) throw new ScramError('client-final: nonce mismatch');
    const credential = this.#credential as ScramCredential;
    const proof = Buffer.from(text.slice(proofAt + 3), 'base64');
    const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.#hash, credential.storedKey, authMessage);
    if (proof.length !== clientSignature.length) throw new ScramError('client-final: proof of wrong length');
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++)
      clientKey[i] = (proof[i] as number) ^ (clientSignature[i] as number);
    if (!timingSafeEqual(digest(this.#hash, clientKey), credential.storedKey)) {
      throw new ScramError(`invalid proof for user "${this.user}" (wrong password)`);
    }
    this.#state = 'done';
    return `v=${hmac(this.#hash, credential.serverKey, authMessage).toString('base64')}`;
  }
}
