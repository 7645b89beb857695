import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { FlowMessageError, FlowMessageReader } from './flow-message-reader.js';
import { FLOW_MESSAGE } from './goflow2-schema.js';

const UINT64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const UINT32 = fc.nat({ max: 2 ** 32 - 1 });

/** Reader field ← protobufjs field, for every scalar field of the schema. */
const SCALARS: ReadonlyArray<[reader: keyof FlowMessageReader, proto: string, wide: boolean]> = [
  ['type', 'type', false],
  ['timeReceived', 'time_received', true],
  ['samplingRate', 'sampling_rate', true],
  ['timeFlowEnd', 'time_flow_end', true],
  ['bytes', 'bytes', true],
  ['packets', 'packets', true],
  ['inIf', 'in_if', false],
  ['outIf', 'out_if', false],
  ['proto', 'proto', false],
  ['srcPort', 'src_port', false],
  ['dstPort', 'dst_port', false],
  ['tcpFlags', 'tcp_flags', false],
  ['vlanId', 'vlan_id', false],
  ['etype', 'etype', false],
  ['icmpType', 'icmp_type', false],
  ['icmpCode', 'icmp_code', false],
  ['srcVlan', 'src_vlan', false],
  ['dstVlan', 'dst_vlan', false],
  ['timeFlowStart', 'time_flow_start', true],
  ['timeFlowStartMs', 'time_flow_start_ms', true],
  ['timeFlowEndMs', 'time_flow_end_ms', true],
  ['timeReceivedNs', 'time_received_ns', true],
  ['timeFlowStartNs', 'time_flow_start_ns', true],
  ['timeFlowEndNs', 'time_flow_end_ns', true],
];

/** A protobufjs 64-bit value (number or Long) as a number, as the daemon used to read it. */
function toNumber(value: unknown): number {
  return typeof value === 'number'
    ? value
    : (value as { toNumber(unsigned?: boolean): number }).toNumber(true);
}

function read(bytes: Uint8Array, start = 0, end = bytes.length): FlowMessageReader {
  const reader = new FlowMessageReader();
  reader.read(bytes, start, end);
  return reader;
}

describe('FlowMessageReader', () => {
  it('reads every field as protobufjs decodes it, for arbitrary values', () => {
    const wide = Object.fromEntries(SCALARS.filter(([, , w]) => w).map(([, name]) => [name, UINT64]));
    const narrow = Object.fromEntries(SCALARS.filter(([, , w]) => !w).map(([, name]) => [name, UINT32]));
    const message = fc.record(
      {
        ...wide,
        ...narrow,
        src_addr: fc.uint8Array({ maxLength: 17 }),
        dst_addr: fc.uint8Array({ maxLength: 17 }),
        sampler_address: fc.uint8Array({ maxLength: 17 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(message, fc.uint8Array({ maxLength: 8 }), (fields, prefix) => {
        const asText = Object.fromEntries(
          Object.entries(fields as Record<string, unknown>).map(([k, v]) => [
            k,
            typeof v === 'bigint' ? v.toString() : v,
          ]),
        );
        const encoded = FLOW_MESSAGE.encode(FLOW_MESSAGE.fromObject(asText)).finish();
        // At an offset inside a larger buffer, as records sit inside a Kafka message.
        const bytes = new Uint8Array([...prefix, ...encoded, 0xff]);
        const reader = read(bytes, prefix.length, prefix.length + encoded.length);
        const expected = FLOW_MESSAGE.decode(encoded) as unknown as Record<string, unknown>;
        for (const [mine, theirs] of SCALARS) {
          expect(reader[mine], theirs).toBe(toNumber(expected[theirs]));
        }
        const range = (at: number, length: number) => [...bytes.subarray(at, at + length)];
        expect(range(reader.srcAddrAt, reader.srcAddrLength)).toEqual([...(expected.src_addr as Uint8Array)]);
        expect(range(reader.dstAddrAt, reader.dstAddrLength)).toEqual([...(expected.dst_addr as Uint8Array)]);
        expect(range(reader.samplerAddressAt, reader.samplerAddressLength)).toEqual([
          ...(expected.sampler_address as Uint8Array),
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it('skips unknown fields of every wire type, groups included, and lets the last value win', () => {
    const w = protobuf.Writer.create();
    w.uint32((20 << 3) | 0).uint32(17); // proto = 17
    w.uint32((27 << 3) | 1).fixed64(0x3cecef); // unknown fixed64
    w.uint32((28 << 3) | 5).fixed32(7); // unknown fixed32
    w.uint32((40 << 3) | 2).bytes(Buffer.from([1, 2, 3])); // unknown bytes
    w.uint32((41 << 3) | 3)
      .uint32((1 << 3) | 0)
      .uint32(9)
      .uint32((41 << 3) | 4); // group 41 { 1: 9 }
    w.uint32((113 << 3) | 0).uint64(1_709_065_920_000_000_000); // unknown varint
    w.uint32((20 << 3) | 0).uint32(6); // proto again: the last one wins
    w.uint32((21 << 3) | 2).bytes(Buffer.from([5])); // src_port with a wrong wire type: skipped
    const reader = read(w.finish());
    expect(reader.proto).toBe(6);
    expect(reader.srcPort).toBe(0);
  });

  it('starts each record from zero', () => {
    const reader = new FlowMessageReader();
    const first = FLOW_MESSAGE.encode(FLOW_MESSAGE.create({ proto: 6, bytes: 100 })).finish();
    reader.read(first, 0, first.length);
    const second = FLOW_MESSAGE.encode(FLOW_MESSAGE.create({ proto: 17 })).finish();
    reader.read(second, 0, second.length);
    expect([reader.proto, reader.bytes]).toEqual([17, 0]);
  });

  it('rejects truncated fields, overlong varints and invalid wire types', () => {
    const encoded = FLOW_MESSAGE.encode(
      FLOW_MESSAGE.create({ src_addr: Buffer.from([10, 0, 0, 1]), bytes: 300 }),
    ).finish();
    // Cut inside the address: the field runs past the record end even though bytes follow.
    const padded = new Uint8Array([...encoded, 0, 0, 0, 0]);
    expect(() => read(padded, 0, 4)).toThrow(FlowMessageError);
    expect(() => read(Uint8Array.of(0x48, 0x80))).toThrow('truncated varint');
    expect(() => read(Uint8Array.of(0x48, ...new Array(10).fill(0x80), 0x01))).toThrow('invalid varint');
    expect(() => read(Uint8Array.of(0x0f, 0x00))).toThrow('invalid wire type 7');
    // Tag 331 = field 41, start group; nothing closes it.
    expect(() => read(Uint8Array.of(0xcb, 0x02))).toThrow('group 41 is not closed');
  });
});
