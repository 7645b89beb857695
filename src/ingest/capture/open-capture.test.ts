import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import { buildFrame } from '../../tools/frame-spec.js';
import { PcapWriter } from '../../tools/pcap-writer.js';
import { type PcapngInterface, PcapngWriter } from '../../tools/pcapng-writer.js';
import type { CaptureReader } from './capture-reader.js';
import { openCapture } from './open-capture.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tapwatch-capture-'));
let fileNo = 0;
function file(bytes: Uint8Array): string {
  const p = path.join(dir, `f${fileNo++}.bin`);
  writeFileSync(p, bytes);
  return p;
}

/** A fixture packet: nanosecond timestamp, frame, and (pcapng) interface. */
interface TestPacket {
  tsNs: bigint;
  data: Uint8Array;
  interfaceId: number;
}

const NS_PER_SECOND = 1_000_000_000n;

/** Writes `list` as classic pcap (timestamps truncated to the file's resolution); returns the path. */
function pcapFile(list: TestPacket[], options: { nanoseconds?: boolean; bigEndian?: boolean } = {}): string {
  const p = path.join(dir, `f${fileNo++}.pcap`);
  const writer = new PcapWriter(p, {
    resolution: options.nanoseconds ? 'nano' : 'micro',
    endianness: options.bigEndian ? 'big' : 'little',
  });
  for (const q of list) {
    const fraction = q.tsNs % NS_PER_SECOND;
    writer.writeRecord(
      Number(q.tsNs / NS_PER_SECOND),
      Number(options.nanoseconds ? fraction : fraction / 1000n),
      q.data,
    );
  }
  writer.close();
  return p;
}

/** Writes `list` as one pcapng section of Enhanced (or Simple) Packet Blocks; returns the path. */
function pcapngFile(
  list: TestPacket[],
  options: { interfaces: PcapngInterface[]; bigEndian?: boolean; simple?: boolean },
): string {
  const p = path.join(dir, `f${fileNo++}.pcapng`);
  const writer = new PcapngWriter(p, {
    interfaces: options.interfaces,
    endianness: options.bigEndian ? 'big' : 'little',
  });
  for (const q of list) {
    if (options.simple) writer.writeSimple(q.data);
    else writer.writeEnhanced(q.tsNs, q.data, { interfaceId: q.interfaceId });
  }
  writer.close();
  return p;
}

const TS = 1_700_000_000_123_456_789n;
const packets: TestPacket[] = Array.from({ length: 50 }, (_, i) => ({
  tsNs: TS + BigInt(i) * 1_000_001n,
  data: buildFrame({
    src: '10.0.0.1',
    dst: '10.0.0.2',
    proto: 17,
    srcPort: 1000 + i,
    dstPort: 53,
    payloadBytes: i * 7,
  }),
  interfaceId: i % 2,
}));

interface Seen {
  index: number;
  tsMs: number;
  capLen: number;
  linkType: number;
  first: number;
}

async function readAll(p: string, chunkBytes?: number): Promise<{ seen: Seen[]; reader: CaptureReader }> {
  const reader = await openCapture(p, { chunkBytes });
  const seen: Seen[] = [];
  try {
    while (await reader.fill()) {
      while (reader.next()) {
        seen.push({
          index: reader.packetIndex,
          tsMs: reader.tsMs,
          capLen: reader.capLen,
          linkType: reader.linkType,
          first: reader.data[reader.offset + 34],
        });
      }
    }
  } finally {
    await reader.close();
  }
  return { seen, reader };
}

/** Epoch ms of a nanosecond timestamp, truncated to microseconds when the format keeps only those. */
function expectedMs(tsNs: bigint, usPrecision: boolean): number {
  const kept = usPrecision ? (tsNs / 1000n) * 1000n : tsNs;
  return Number(kept / 1_000_000n) + Number(kept % 1_000_000n) / 1e6;
}

function expectPackets(seen: Seen[], usPrecision: boolean) {
  expect(seen).toHaveLength(packets.length);
  seen.forEach((s, i) => {
    expect(s.index).toBe(i + 1);
    expect(s.capLen).toBe(packets[i].data.length);
    expect(s.first).toBe(packets[i].data[34]);
    expect(s.tsMs).toBeCloseTo(expectedMs(packets[i].tsNs, usPrecision), 3);
  });
}

describe('openCapture', () => {
  it.each([
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ])(
    'reads classic pcap (nanoseconds %s, big-endian %s) across small chunks',
    async (nanoseconds, bigEndian) => {
      const p = pcapFile(packets, { nanoseconds, bigEndian });
      for (const chunk of [64, 333, 1 << 20]) {
        const { seen, reader } = await readAll(p, chunk);
        expect(reader.format).toBe('pcap');
        expectPackets(seen, !nanoseconds);
        expect(seen[0].linkType).toBe(1);
      }
    },
  );

  it.each([false, true])(
    'reads pcapng with two interfaces of different if_tsresol (big-endian %s)',
    async (bigEndian) => {
      const interfaces = [{ linkType: 1, tsresol: 9 }, { linkType: 1 }];
      const p = pcapngFile(packets, { interfaces, bigEndian });
      for (const chunk of [64, 1 << 20]) {
        const { seen, reader } = await readAll(p, chunk);
        expect(reader.format).toBe('pcapng');
        expect(seen).toHaveLength(50);
        // Interface 0 keeps nanoseconds, interface 1 microseconds.
        expect(seen[0].tsMs).toBeCloseTo(expectedMs(packets[0].tsNs, false), 3);
        expect(seen[1].tsMs).toBeCloseTo(expectedMs(packets[1].tsNs, true), 3);
        expect(seen[1].tsMs).not.toBeCloseTo(expectedMs(packets[1].tsNs, false), 3);
        expect(seen.map((s) => s.first)).toEqual(packets.map((q) => q.data[34]));
      }
    },
  );

  it('reads a binary if_tsresol, Simple Packet Blocks and a second section in the other byte order', async () => {
    const onFirst = packets.map((q) => ({ ...q, interfaceId: 0 }));
    const a = pcapngFile(onFirst.slice(0, 10), { interfaces: [{ linkType: 1, tsresol: 0x80 | 20 }] });
    const b = pcapngFile(onFirst.slice(10, 20), {
      interfaces: [{ linkType: 101 }],
      bigEndian: true,
      simple: true,
    });
    const { seen } = await readAll(file(Buffer.concat([readFileSync(a), readFileSync(b)])), 100);
    expect(seen).toHaveLength(20);
    expect(seen[0].tsMs).toBeCloseTo(expectedMs(packets[0].tsNs, false), 2);
    expect(seen[10].linkType).toBe(101);
    expect(seen[10].capLen).toBe(packets[10].data.length);
    // Simple packets carry no timestamp: the previous one is kept.
    expect(seen[15].tsMs).toBe(seen[9].tsMs);
  });

  it('rejects unknown, empty and missing files as unreadable', async () => {
    const cases = [
      file(Buffer.from('GET / HTTP/1.1\r\n\r\n')),
      file(Buffer.alloc(0)),
      path.join(dir, 'missing.pcap'),
    ];
    for (const p of cases) {
      const err = await openCapture(p).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).code).toBe('TAPWATCH_INPUT_UNREADABLE');
      expect((err as InputError).message.startsWith(`${p}: `)).toBe(true);
    }
  });

  it('delivers every packet before a truncation, then names file, byte and packet', async () => {
    const whole = readFileSync(pcapFile(packets));
    const cut = whole.length - 5;
    const p = file(whole.subarray(0, cut));
    const reader = await openCapture(p, { chunkBytes: 128 });
    let n = 0;
    const err = await (async () => {
      while (await reader.fill()) while (reader.next()) n++;
    })().catch((e: unknown) => e);
    expect(n).toBe(49);
    const last = packets[49].data.length;
    expect((err as InputError).code).toBe('TAPWATCH_INPUT_CORRUPT');
    expect((err as Error).message).toBe(
      `${p}: truncated packet record at byte ${whole.length - last - 16} (packet 50): header says ${last} bytes, ${last - 5} remain`,
    );
  });

  it('treats an absurd captured length as corruption', async () => {
    const bytes = readFileSync(pcapFile(packets.slice(0, 3)));
    const second = 24 + 16 + packets[0].data.length;
    bytes.writeUInt32LE(0x00ffffff, second + 8);
    const err = await readAll(file(bytes)).catch((e: unknown) => e);
    expect((err as InputError).reason).toBe('bad_record_length');
    expect((err as Error).message).toContain(`at byte ${second} (packet 2)`);
  });

  it('never throws anything but InputError and never hangs on arbitrary bytes', async () => {
    const heads = [
      readFileSync(pcapFile([])),
      readFileSync(pcapngFile([], { interfaces: [{ linkType: 1 }] })),
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...heads), fc.uint8Array({ maxLength: 400 }), async (head, tail) => {
        const p = file(Buffer.concat([head, tail]));
        const err = await readAll(p, 64).catch((e: unknown) => e);
        if (err !== undefined && !('seen' in (err as object))) expect(err).toBeInstanceOf(InputError);
      }),
      { numRuns: 300 },
    );
  });

  it('delivers all packets up to the damage at many cut points of a real capture', async () => {
    const real = readFileSync(path.resolve(process.cwd(), '../shared/data/stopddos/amp.UDP.isakmp.pcap'));
    const full = (await readAll(file(real))).seen.length;
    expect(full).toBe(3984);
    for (let i = 0; i < 25; i++) {
      const cut = 24 + Math.floor(((real.length - 24) * (i + 0.37)) / 25);
      const p = file(real.subarray(0, cut));
      let n = 0;
      let end = 0;
      const reader = await openCapture(p, { chunkBytes: 65536 });
      const err = await (async () => {
        while (await reader.fill())
          while (reader.next()) {
            n++;
            end = reader.offset + reader.capLen;
          }
      })().catch((e: unknown) => e);
      if (err === undefined) continue; // the cut fell exactly on a record boundary
      expect((err as InputError).code).toBe('TAPWATCH_INPUT_CORRUPT');
      expect((err as Error).message).toContain(`(packet ${n + 1})`);
      expect(end).toBeLessThanOrEqual(cut);
    }
  });
});
