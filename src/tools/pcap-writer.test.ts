import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LINKTYPE_RAW, PcapWriter, type PcapWriterOptions } from './pcap-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'pcap-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
function write(options: PcapWriterOptions, body: (w: PcapWriter) => void): Buffer {
  const path = join(dir, `f${fileNo++}.pcap`);
  const writer = new PcapWriter(path, options);
  body(writer);
  writer.close();
  return readFileSync(path);
}

const frame = Uint8Array.from({ length: 60 }, (_, i) => i);

describe('PcapWriter', () => {
  it('writes the little-endian microsecond global header and record header exactly', () => {
    const bytes = write({}, (w) => w.writePacket(1_710_226_800_123.456, frame));
    expect(bytes.subarray(0, 24).toString('hex')).toBe(
      'd4c3b2a1' + '0200' + '0400' + '00000000' + '00000000' + 'ffff0000' + '01000000',
    );
    expect(bytes.readUInt32LE(24)).toBe(1_710_226_800);
    expect(bytes.readUInt32LE(28)).toBe(123_456);
    expect(bytes.readUInt32LE(32)).toBe(60);
    expect(bytes.readUInt32LE(36)).toBe(60);
    expect(bytes.subarray(40)).toEqual(Buffer.from(frame));
    expect(bytes.length).toBe(24 + 16 + 60);
  });

  it('writes big-endian nanosecond files with the a1b23c4d magic', () => {
    const bytes = write({ resolution: 'nano', endianness: 'big', linkType: LINKTYPE_RAW }, (w) =>
      w.writeRecord(5, 999_999_999, frame),
    );
    expect(bytes.subarray(0, 8).toString('hex')).toBe('a1b23c4d00020004');
    expect(bytes.readUInt32BE(16)).toBe(65535);
    expect(bytes.readUInt32BE(20)).toBe(LINKTYPE_RAW);
    expect(bytes.readUInt32BE(24)).toBe(5);
    expect(bytes.readUInt32BE(28)).toBe(999_999_999);
  });

  it('rounds millisecond timestamps into the next second when the fraction rounds up', () => {
    const micro = write({}, (w) => w.writePacket(1999.9999, frame));
    expect([micro.readUInt32LE(24), micro.readUInt32LE(28)]).toEqual([2, 0]);
    const nano = write({ resolution: 'nano' }, (w) => w.writePacket(1000.0000015, frame));
    expect([nano.readUInt32LE(24), nano.readUInt32LE(28)]).toEqual([1, 2]);
  });

  it('truncates to the snap length and keeps the original length', () => {
    const bytes = write({ snapLength: 20 }, (w) => w.writePacket(0, frame, 1514));
    expect(bytes.readUInt32LE(16)).toBe(20);
    expect(bytes.readUInt32LE(32)).toBe(20);
    expect(bytes.readUInt32LE(36)).toBe(1514);
    expect(bytes.length).toBe(24 + 16 + 20);
  });

  it('keeps records intact across buffer flushes and frames larger than the buffer', () => {
    const big = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const bytes = write({ bufferBytes: 128 }, (w) => {
      for (let i = 0; i < 10; i++) w.writeRecord(i, i, frame);
      w.writeRecord(10, 0, big);
      w.writeRecord(11, 0, frame);
      expect(w.packets).toBe(12);
      expect(w.fileBytes).toBe(24 + 11 * 76 + 316);
    });
    let at = 24;
    for (let i = 0; i < 12; i++) {
      expect(bytes.readUInt32LE(at)).toBe(i);
      const capLen = bytes.readUInt32LE(at + 8);
      expect(capLen).toBe(i === 10 ? 300 : 60);
      expect(bytes[at + 16 + capLen - 1]).toBe(i === 10 ? 299 & 0xff : 59);
      at += 16 + capLen;
    }
    expect(at).toBe(bytes.length);
  });

  it('rejects an original length below the captured length and writes after close', () => {
    const path = join(dir, 'bad.pcap');
    const writer = new PcapWriter(path);
    expect(() => writer.writePacket(0, frame, 10)).toThrow(/origLen/);
    writer.close();
    writer.close();
    expect(() => writer.writePacket(0, frame)).toThrow(/after close/);
  });
});
