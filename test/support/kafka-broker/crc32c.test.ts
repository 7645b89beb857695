import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.js';

describe('crc32c', () => {
  it('matches the standard check value of "123456789"', () => {
    expect(crc32c(Buffer.from('123456789', 'ascii'))).toBe(0xe3069283);
  });

  it('matches the RFC 3720 (iSCSI) test vectors', () => {
    expect(crc32c(Buffer.alloc(32, 0x00))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_v, i) => i)))).toBe(0x46dd794e);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_v, i) => 31 - i)))).toBe(0x113fdb5c);
  });

  it('is 0 for no bytes and honours the start/end range', () => {
    expect(crc32c(Buffer.alloc(0))).toBe(0);
    const framed = Buffer.from('xx123456789yy', 'ascii');
    expect(crc32c(framed, 2, 11)).toBe(0xe3069283);
  });
});
