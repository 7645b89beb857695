import { afterEach, describe, expect, it } from 'vitest';
import { ApiKey } from './apis/api.js';
import { type KafkaReader, KafkaWriter } from './codec.js';
import { ErrorCode } from './error-codes.js';
import { RawKafkaClient } from './raw-client.js';
import { TestKafkaBroker } from './test-kafka-broker.js';

/** The SASL state machine at the wire level, where clients cannot paper over a wrong answer. */
const USERS = { alice: 'wonderland' };

async function handshake(
  client: RawKafkaClient,
  mechanism: string,
  version = 1,
): Promise<[number, string[]]> {
  const body = new KafkaWriter().string(mechanism);
  const r = (await client.request(ApiKey.SaslHandshake, version, body)) as KafkaReader;
  return [r.int16(), (r.array((a) => a.requiredString()) ?? []) as string[]];
}

async function authenticate(client: RawKafkaClient, token: string, version = 1) {
  const body = new KafkaWriter().bytes(Buffer.from(token));
  const r = (await client.request(ApiKey.SaslAuthenticate, version, body)) as KafkaReader;
  const reply = { errorCode: r.int16(), message: r.string(), bytes: r.bytes()?.toString() ?? null };
  if (version >= 1) expect(r.int64()).toBe(0); // session_lifetime_ms: no re-authentication
  expect(r.remaining).toBe(0);
  return reply;
}

const metadataBody = () => new KafkaWriter().int32(-1);

describe('SASL handshake and authentication on the wire', () => {
  let broker: TestKafkaBroker | undefined;
  let client: RawKafkaClient | undefined;

  afterEach(async () => {
    client?.close();
    expect(broker?.errors).toEqual([]);
    await broker?.close();
    broker = undefined;
  });

  it('advertises SaslHandshake v0-v1 and SaslAuthenticate v0-v1 before authentication', async () => {
    broker = await TestKafkaBroker.start({ sasl: { users: USERS } });
    client = await RawKafkaClient.connect(broker.port);
    const r = (await client.request(ApiKey.ApiVersions, 2, new KafkaWriter())) as KafkaReader;
    expect(r.int16()).toBe(ErrorCode.NONE);
    const ranges = r.array((a) => [a.int16(), a.int16(), a.int16()]) ?? [];
    expect(ranges).toContainEqual([ApiKey.SaslHandshake, 0, 1]);
    expect(ranges).toContainEqual([ApiKey.SaslAuthenticate, 0, 1]);
    expect(await handshake(client, 'PLAIN')).toEqual([
      ErrorCode.NONE,
      ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'],
    ]);
    expect(await authenticate(client, '\0alice\0wonderland', 0)).toEqual({
      errorCode: 0,
      message: null,
      bytes: '',
    });
    const meta = (await client.request(ApiKey.Metadata, 1, metadataBody())) as KafkaReader;
    expect(meta.array((b) => [b.int32(), b.requiredString(), b.int32(), b.string()])).toEqual([
      [0, '127.0.0.1', broker.port, null],
    ]);
    expect(broker.authLog).toEqual([{ kind: 'sasl', ok: true, mechanism: 'PLAIN', user: 'alice' }]);
  });

  it('exchanges bare tokens after a v0 handshake, and closes on a wrong password without an answer', async () => {
    broker = await TestKafkaBroker.start({ sasl: { users: USERS } });
    client = await RawKafkaClient.connect(broker.port);
    expect((await handshake(client, 'PLAIN', 0))[0]).toBe(ErrorCode.NONE);
    expect(await client.bareExchange(Buffer.from('\0alice\0wonderland'))).toEqual(Buffer.alloc(0));
    const meta = (await client.request(ApiKey.Metadata, 1, metadataBody())) as KafkaReader;
    expect(meta.int32()).toBe(1);

    client = await RawKafkaClient.connect(broker.port);
    await handshake(client, 'SCRAM-SHA-256', 0);
    const first = (await client.bareExchange(Buffer.from('n,,n=alice,r=abc'))).toString();
    expect(first).toMatch(/^r=abc\S+,s=\S+,i=4096$/);
    const nonce = /^r=([^,]+)/.exec(first)?.[1];
    const proof = Buffer.alloc(32).toString('base64');
    await expect(client.bareExchange(Buffer.from(`c=biws,r=${nonce},p=${proof}`))).rejects.toThrow(
      'connection closed',
    );
    expect(broker.authLog.map((e) => e.kind === 'sasl' && [e.mechanism, e.ok])).toEqual([
      ['PLAIN', true],
      ['SCRAM-SHA-256', false],
    ]);
  });

  it('closes the connection on any other request before authentication', async () => {
    broker = await TestKafkaBroker.start({ sasl: { users: USERS } });
    client = await RawKafkaClient.connect(broker.port);
    await expect(client.request(ApiKey.Metadata, 1, metadataBody())).rejects.toThrow('connection closed');
    // After the handshake only SaslAuthenticate is served.
    client = await RawKafkaClient.connect(broker.port);
    await handshake(client, 'SCRAM-SHA-256');
    await expect(client.request(ApiKey.Metadata, 1, metadataBody())).rejects.toThrow('connection closed');
    expect(broker.authLog.map((e) => e.kind === 'sasl' && e.reason)).toEqual([
      'request with api key 3 before authentication',
      'request with api key 3 before authentication',
    ]);
  });

  it('answers UNSUPPORTED_SASL_MECHANISM with the enabled list, then closes', async () => {
    broker = await TestKafkaBroker.start({ sasl: { users: USERS, mechanisms: ['SCRAM-SHA-512'] } });
    client = await RawKafkaClient.connect(broker.port);
    expect(await handshake(client, 'GSSAPI')).toEqual([
      ErrorCode.UNSUPPORTED_SASL_MECHANISM,
      ['SCRAM-SHA-512'],
    ]);
    await client.closed;
  });

  it('answers ILLEGAL_SASL_STATE to SaslAuthenticate before a handshake and to a second handshake', async () => {
    broker = await TestKafkaBroker.start({ sasl: { users: USERS } });
    client = await RawKafkaClient.connect(broker.port);
    expect((await authenticate(client, '\0alice\0wonderland')).errorCode).toBe(ErrorCode.ILLEGAL_SASL_STATE);
    await client.closed;
    client = await RawKafkaClient.connect(broker.port);
    await handshake(client, 'PLAIN');
    expect((await handshake(client, 'PLAIN'))[0]).toBe(ErrorCode.ILLEGAL_SASL_STATE);
    await client.closed;
  });

  it('answers SASL_AUTHENTICATION_FAILED to a wrong PLAIN password or a bad SCRAM proof, then closes', async () => {
    broker = await TestKafkaBroker.start({ sasl: { users: USERS } });
    client = await RawKafkaClient.connect(broker.port);
    await handshake(client, 'PLAIN');
    expect(await authenticate(client, '\0alice\0rabbit-hole')).toEqual({
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      message: 'Authentication failed: Invalid username or password',
      bytes: '',
    });
    await client.closed;

    client = await RawKafkaClient.connect(broker.port);
    await handshake(client, 'SCRAM-SHA-512');
    const first = await authenticate(client, 'n,,n=alice,r=fixednonce');
    expect(first.errorCode).toBe(ErrorCode.NONE);
    expect(first.bytes).toMatch(/^r=fixednonce\S+,s=\S+,i=4096$/);
    const nonce = /^r=([^,]+)/.exec(first.bytes ?? '')?.[1];
    const final = await authenticate(client, `c=biws,r=${nonce},p=${Buffer.alloc(64).toString('base64')}`);
    expect(final).toEqual({
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      message:
        'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
      bytes: '',
    });
    await client.closed;
    expect(broker.authLog.map((e) => e.kind === 'sasl' && [e.ok, e.user, e.reason])).toEqual([
      [false, 'alice', 'wrong password for user "alice"'],
      [false, 'alice', 'invalid proof for user "alice" (wrong password)'],
    ]);
  });

  it('answers ILLEGAL_SASL_STATE on a listener without SASL and keeps serving', async () => {
    broker = await TestKafkaBroker.start();
    client = await RawKafkaClient.connect(broker.port);
    expect(await handshake(client, 'PLAIN')).toEqual([ErrorCode.ILLEGAL_SASL_STATE, []]);
    expect((await authenticate(client, 'x')).errorCode).toBe(ErrorCode.ILLEGAL_SASL_STATE);
    const meta = (await client.request(ApiKey.Metadata, 1, metadataBody())) as KafkaReader;
    expect(meta.int32()).toBe(1);
  });
});
