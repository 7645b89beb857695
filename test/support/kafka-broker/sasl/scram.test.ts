import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeSaslName,
  type ScramCredential,
  ScramError,
  type ScramHash,
  ScramServer,
  scramCredential,
} from './scram.js';

/** RFC 7677 section 3: user "user", password "pencil", SCRAM-SHA-256, 4096 iterations. */
const RFC7677 = {
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal:
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

/** An independent client side, written from RFC 5802 section 3, to drive the server with any password. */
function clientFinal(
  hash: ScramHash,
  password: string,
  clientFirstBare: string,
  serverFirst: string,
): string {
  const attrs = Object.fromEntries(serverFirst.split(',').map((a) => [a[0], a.slice(2)]));
  const size = hash === 'sha256' ? 32 : 64;
  const salted = pbkdf2Sync(password, Buffer.from(attrs.s ?? '', 'base64'), Number(attrs.i), size, hash);
  const clientKey = createHmac(hash, salted).update('Client Key').digest();
  const storedKey = createHash(hash).update(clientKey).digest();
  const withoutProof = `c=biws,r=${attrs.r}`;
  const signature = createHmac(hash, storedKey)
    .update(`${clientFirstBare},${serverFirst},${withoutProof}`)
    .digest();
  const proof = Buffer.from(clientKey.map((b, i) => b ^ (signature[i] as number)));
  return `${withoutProof},p=${proof.toString('base64')}`;
}

/** librdkafka 2.x's client-final: `r=` is the client nonce followed by the whole server nonce. */
function librdkafkaFinal(password: string, clientFirstBare: string, serverFirst: string): string {
  const clientNonce = clientFirstBare.slice(clientFirstBare.indexOf(',r=') + 3);
  const attrs = Object.fromEntries(serverFirst.split(',').map((a) => [a[0], a.slice(2)]));
  const salted = pbkdf2Sync(password, Buffer.from(attrs.s ?? '', 'base64'), Number(attrs.i), 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const withoutProof = `c=biws,r=${clientNonce}${attrs.r}`;
  const signature = createHmac('sha256', storedKey)
    .update(`${clientFirstBare},${serverFirst},${withoutProof}`)
    .digest();
  return `${withoutProof},p=${Buffer.from(clientKey.map((b, i) => b ^ (signature[i] as number))).toString('base64')}`;
}

function server(hash: ScramHash, users: Record<string, ScramCredential>, nonce?: string): ScramServer {
  return new ScramServer(hash, (user) => users[user], nonce);
}

describe('SCRAM server (RFC 5802 / RFC 7677)', () => {
  it('reproduces the RFC 7677 SCRAM-SHA-256 exchange byte for byte', () => {
    const credential = scramCredential('pencil', 'sha256', RFC7677.salt, 4096);
    const s = server('sha256', { user: credential }, RFC7677.serverNonce);
    expect(s.step(RFC7677.clientFirst)).toBe(RFC7677.serverFirst);
    expect(s.complete).toBe(false);
    expect(s.step(Buffer.from(RFC7677.clientFinal))).toBe(RFC7677.serverFinal);
    expect(s.complete).toBe(true);
    expect(s.user).toBe('user');
    expect(() => s.step('anything')).toThrow(ScramError);
  });

  it('rejects the RFC 7677 proof when the stored password is another one', () => {
    const s = server('sha256', { user: scramCredential('pen', 'sha256', RFC7677.salt) }, RFC7677.serverNonce);
    s.step(RFC7677.clientFirst);
    expect(() => s.step(RFC7677.clientFinal)).toThrow(/invalid proof for user "user"/);
    expect(s.complete).toBe(false);
  });

  it('authenticates SCRAM-SHA-512 with a random salt and nonce, and refuses a wrong password', () => {
    const users = { alice: scramCredential('s3cret', 'sha512') };
    const bare = 'n=alice,r=clientnonce123';
    const good = server('sha512', users);
    const first = good.step(`n,,${bare}`);
    expect(first).toMatch(/^r=clientnonce123[^,]{20,},s=[A-Za-z0-9+/=]{24},i=4096$/);
    const final = good.step(clientFinal('sha512', 's3cret', bare, first));
    // The server signature proves the server knows the credential: the client checks it.
    const salted = pbkdf2Sync('s3cret', users.alice.salt, 4096, 64, 'sha512');
    const serverKey = createHmac('sha512', salted).update('Server Key').digest();
    const authMessage = `${bare},${first},c=biws,r=${first.slice(2, first.indexOf(','))}`;
    expect(final).toBe(`v=${createHmac('sha512', serverKey).update(authMessage).digest('base64')}`);

    const bad = server('sha512', users);
    const badFirst = bad.step(`n,,${bare}`);
    expect(() => bad.step(clientFinal('sha512', 'S3cret', bare, badFirst))).toThrow(ScramError);
  });

  it('refuses unknown users, tampered nonces and channel-binding data, and malformed messages', () => {
    const users = { bob: scramCredential('pw', 'sha256') };
    expect(() => server('sha256', users).step('n,,n=mallory,r=abc')).toThrow(/unknown user "mallory"/);
    expect(() => server('sha256', users).step('p=tls-unique,,n=bob,r=abc')).toThrow(/gs2 header/);
    expect(() => server('sha256', users).step('n,,r=abc,n=bob')).toThrow(/expected n= and r=/);
    expect(() => server('sha256', users).step('n,a=eve,n=bob,r=abc')).toThrow(/authzid/);
    expect(() => server('sha256', users).step('n,,m=ext,n=bob,r=abc')).toThrow(/extension/);

    const s1 = server('sha256', users);
    const first = s1.step('n,,n=bob,r=abc');
    const final = clientFinal('sha256', 'pw', 'n=bob,r=abc', first);
    expect(() => s1.step(final.replace(/,r=[^,]+/, ',r=abcXYZ'))).toThrow(/nonce mismatch/);
    // librdkafka's client-final nonce is its own nonce followed by the combined one; Kafka accepts that.
    const s4 = server('sha256', users);
    const first4 = s4.step('n,,n=bob,r=abc');
    const doubled = clientFinal('sha256', 'pw', 'n=bob,r=abc', first4).replace(',r=', ',r=abc');
    expect(() => s4.step(doubled)).toThrow(/invalid proof/); // the proof covers the nonce as sent…
    const s5 = server('sha256', users);
    const first5 = s5.step('n,,n=bob,r=abc');
    expect(s5.step(librdkafkaFinal('pw', 'n=bob,r=abc', first5))).toMatch(/^v=/); // …so sign what is sent
    const s2 = server('sha256', users);
    s2.step('n,,n=bob,r=abc');
    expect(() => s2.step(`c=${Buffer.from('y,,').toString('base64')},r=x,p=AAAA`)).toThrow(/channel binding/);
    const s3 = server('sha256', users);
    s3.step('n,,n=bob,r=abc');
    expect(() => s3.step('c=biws,r=x')).toThrow(/no proof/);
  });

  it('decodes saslnames (=2C and =3D) and rejects other escapes', () => {
    expect(decodeSaslName('a=2Cb=3Dc')).toBe('a,b=c');
    expect(() => decodeSaslName('a=41')).toThrow(ScramError);
    const s = server('sha256', { 'we,ird=': scramCredential('pw', 'sha256') });
    expect(s.step('n,,n=we=2Cird=3D,r=n1')).toMatch(/^r=n1/);
    expect(s.user).toBe('we,ird=');
  });
});
