import { describe, expect, it } from 'vitest';
import { REDACTED, redact } from './redact.js';

describe('redact', () => {
  it('replaces secret-looking keys at any depth, case-insensitively', () => {
    const input = {
      kafka: { brokers: ['k:9092'], sasl: { password: 'p' }, ssl: { keyPassword: 'k', ca: 'pem' } },
      apiToken: 't',
      headers: [{ Authorization: 'Bearer x', accept: 'json' }],
      dedup_key: 'servers|rule|10.0.0.1',
    };
    expect(redact(input)).toEqual({
      kafka: { brokers: ['k:9092'], sasl: REDACTED, ssl: { keyPassword: REDACTED, ca: 'pem' } },
      apiToken: REDACTED,
      headers: [{ Authorization: REDACTED, accept: 'json' }],
      dedup_key: 'servers|rule|10.0.0.1',
    });
    expect(input.kafka.sasl.password).toBe('p');
  });

  it('accepts its own key list', () => {
    expect(redact({ host: 'h', pin: '1234' }, ['pin'])).toEqual({ host: 'h', pin: REDACTED });
  });

  it('cuts cycles and leaves non-plain objects alone', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    const err = new Error('x');
    const shared = { v: 1 };
    expect(redact({ a, err, left: shared, right: shared })).toEqual({
      a: { name: 'a', self: '[Circular]' },
      err,
      left: { v: 1 },
      right: { v: 1 },
    });
  });
});
