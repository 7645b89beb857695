import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapngWriter, type PcapngWriterOptions } from './pcapng-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'pcapng-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
function write(options: PcapngWriterOptions, body?: (w: PcapngWriter) => void): Buffer {
  const path = join(dir, `f${fileNo++}.pcapng`);
  const writer = new PcapngWriter(path, options);
  body?.(writer);
  writer.close();
  return readFileSync(path);
}

const frame = Uint8Array.from({ length: 61 }, (_, i) => i);
const TS_NS = 1_700_000_000_123_456_789n;

describe('PcapngWriter', () => {
  it('writes the section header and an IDB with if_tsresol in little-endian order', () => {
    const bytes = write({ interfaces: [{ linkType: 1, tsresol: 9 }, { linkType: 101 }] });
    expect(bytes.subarray(0, 28).toString('hex')).toBe(
      '0a0d0d0a' + '1c000000' + '4d3c2b1a' + '0100' + '0000' + 'ffffffffffffffff' + '1c000000',
    );
    // IDB 1: link type 1, snaplen 0, option 9 (length 1, value 9, padded), end of options.
    expect(bytes.subarray(28, 60).toString('hex')).toBe(
      '01000000' +
        '20000000' +
        '0100' +
        '0000' +
        '00000000' +
        '0900' +
        '0100' +
        '09000000' +
        '00000000' +
        '20000000',
    );
    // IDB 2 has no options.
    expect(bytes.readUInt32LE(60)).toBe(1);
    expect(bytes.readUInt32LE(64)).toBe(20);
    expect(bytes.readUInt16LE(68)).toBe(101);
    expect(bytes.length).toBe(80);
  });

  it('stamps Enhanced Packet Blocks in the units of their interface and pads the data', () => {
    const bytes = write({ interfaces: [{ linkType: 1, tsresol: 9 }, { linkType: 1 }] }, (w) => {
      w.writeEnhanced(TS_NS, frame, { interfaceId: 0, origLen: 1514 });
      w.writeEnhanced(TS_NS, frame, { interfaceId: 1 });
      expect(w.packets).toBe(2);
    });
    let at = 28 + 32 + 20;
    const units = (block: number) =>
      (BigInt(bytes.readUInt32LE(block + 12)) << 32n) | BigInt(bytes.readUInt32LE(block + 16));
    expect(bytes.readUInt32LE(at)).toBe(6);
    expect(bytes.readUInt32LE(at + 4)).toBe(32 + 64);
    expect(units(at)).toBe(TS_NS);
    expect([bytes.readUInt32LE(at + 20), bytes.readUInt32LE(at + 24)]).toEqual([61, 1514]);
    expect(bytes.subarray(at + 28, at + 28 + 61)).toEqual(Buffer.from(frame));
    at += 96;
    expect(bytes.readUInt32LE(at + 8)).toBe(1);
    expect(units(at)).toBe(TS_NS / 1000n);
    expect(bytes.length).toBe(at + 96);
  });

  it('writes big-endian sections, binary if_tsresol and Simple Packet Blocks', () => {
    const bytes = write({ interfaces: [{ linkType: 1, tsresol: 0x80 | 20 }], endianness: 'big' }, (w) => {
      w.writeEnhanced(TS_NS, frame);
      w.writeSimple(frame, 100);
    });
    expect(bytes.subarray(0, 12).toString('hex')).toBe('0a0d0d0a0000001c1a2b3c4d');
    const epb = 28 + 32;
    const units = (BigInt(bytes.readUInt32BE(epb + 12)) << 32n) | BigInt(bytes.readUInt32BE(epb + 16));
    expect(units).toBe((TS_NS * 2n ** 20n) / 1_000_000_000n);
    const spb = epb + 96;
    expect([bytes.readUInt32BE(spb), bytes.readUInt32BE(spb + 4), bytes.readUInt32BE(spb + 8)]).toEqual([
      3, 80, 100,
    ]);
    expect(bytes.readUInt32BE(spb + 76)).toBe(80);
  });

  it('rejects an unknown interface, a short origLen and writes after close', () => {
    const path = join(dir, 'bad.pcapng');
    const w = new PcapngWriter(path, { interfaces: [{ linkType: 1 }] });
    expect(() => w.writeEnhanced(TS_NS, frame, { interfaceId: 1 })).toThrow(RangeError);
    expect(() => w.writeSimple(frame, 10)).toThrow(RangeError);
    w.close();
    w.close();
    expect(() => w.writeSimple(frame)).toThrow(/after close/);
  });
});
