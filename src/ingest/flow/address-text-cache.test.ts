import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIpv4, formatIpv6 } from '../../core/ip-text.js';
import { AddressTextCache } from './address-text-cache.js';

describe('AddressTextCache', () => {
  it('always gives the formatted text, whether the slot holds it or another address', () => {
    const cache = new AddressTextCache();
    const word = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(word, word, word, word), { minLength: 1, maxLength: 50 }),
        (addresses) => {
          // Twice over, so the second pass reads what the first stored (or what evicted it).
          for (const pass of [0, 1]) {
            for (const [w0, w1, w2, w3] of addresses) {
              expect(cache.ipv4(w3), `pass ${pass}`).toBe(formatIpv4(w3));
              expect(cache.ipv6(w0, w1, w2, w3)).toBe(formatIpv6(w0, w1, w2, w3));
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('treats signed and unsigned forms of a word and the all-zero address correctly', () => {
    const cache = new AddressTextCache();
    expect(cache.ipv4(0)).toBe('0.0.0.0');
    expect(cache.ipv4(0xc0000201)).toBe('192.0.2.1');
    expect(cache.ipv4(0xc0000201 | 0)).toBe('192.0.2.1');
    expect(cache.ipv6(0, 0, 0, 0)).toBe('::');
    expect(cache.ipv6(0, 0, 0, 1)).toBe('::1');
  });
});
