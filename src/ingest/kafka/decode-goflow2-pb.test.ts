import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeGoflow2Protobuf } from './decode-goflow2-pb.js';
import { FLOW_MESSAGE } from './goflow2-schema.js';

const origin = { topic: 'flows-goflow2', partition: 0, offset: '42' };
const source = { format: 'goflow2-pb', origin: 'flows-goflow2', partition: 0, offset: '42' };
const START_NS = 1_709_065_920_620_635_488n;

/** Varint bytes of a value, for hand-assembling wire data. */
function varint(value: bigint): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function encode(fields: Record<string, unknown>): Uint8Array {
  return FLOW_MESSAGE.encodeDelimited(FLOW_MESSAGE.create(fields)).finish();
}

const v4 = (...octets: number[]) => Buffer.from(octets);

describe('goflow2 protobuf decoding', () => {
  it('reads a hand-assembled FlowMessage, proving the v2 field numbers', () => {
    // biome-ignore format: one field per line, tag bytes first
    const body = [
      0x08, 0x04,                               // 1 type = IPFIX
      0x18, 0x64,                               // 3 sampling_rate = 100
      0x32, 0x04, 10, 0, 0, 1,                  // 6 src_addr
      0x3a, 0x04, 192, 0, 2, 5,                 // 7 dst_addr
      0x48, 0xdc, 0x0b,                         // 9 bytes = 1500
      0x50, 0x03,                               // 10 packets = 3
      0x5a, 0x04, 172, 16, 0, 1,                // 11 sampler_address
      0x90, 0x01, 0x07,                         // 18 in_if = 7
      0x98, 0x01, 0x09,                         // 19 out_if = 9
      0xa0, 0x01, 0x06,                         // 20 proto = TCP
      0xa8, 0x01, 0xb8, 0x8e, 0x03,             // 21 src_port = 51000
      0xb0, 0x01, 0xbb, 0x03,                   // 22 dst_port = 443
      0xd0, 0x01, 0x1b,                         // 26 tcp_flags = FIN|SYN|PSH|ACK
      0xe8, 0x01, 0x2a,                         // 29 vlan_id = 42
      0xf8, 0x06, ...varint(START_NS),          // 111 time_flow_start_ns
      0x80, 0x07, ...varint(START_NS + 2_500_000_000n), // 112 time_flow_end_ns
    ];
    const message = Buffer.from([...varint(BigInt(body.length)), ...body]);
    const { flows, errors } = decodeGoflow2Protobuf(message, origin);
    expect(errors).toEqual([]);
    expect(flows).toHaveLength(1);
    const startMs = Number(START_NS) / 1e6;
    expect(flows[0]).toEqual({
      start: startMs,
      end: Number(START_NS + 2_500_000_000n) / 1e6,
      srcIp: '10.0.0.1',
      dstIp: '192.0.2.5',
      srcPort: 51000,
      dstPort: 443,
      proto: 6,
      bytesFwd: 150_000,
      pktsFwd: 300,
      bytesRev: 0,
      pktsRev: 0,
      tcpFlags: 0x1b,
      tcpFlagsFwd: 0x1b,
      samplingRate: 100,
      exporter: '172.16.0.1',
      vlan: 42,
      inIf: 7,
      outIf: 9,
      source,
    });
  });

  it('decodes several delimited records in one message, skipping unknown fields', () => {
    const common = {
      time_flow_start_ns: START_NS.toString(),
      src_addr: v4(10, 1, 1, 1),
      dst_addr: v4(10, 1, 1, 2),
      proto: 17,
      src_mac: 0x3cecef,
    };
    const writer = protobuf.Writer.create();
    for (const bytes of [100, 200, 300]) {
      FLOW_MESSAGE.encodeDelimited(FLOW_MESSAGE.create({ ...common, bytes, packets: 1 }), writer);
    }
    // An unknown field (src_mac = 27) must be skipped: append one by hand to a fourth record.
    const extra = [
      0x08, 0x03, 0x32, 0x04, 10, 1, 1, 1, 0x3a, 0x04, 10, 1, 1, 2, 0xd8, 0x01, 0x05, 0xa0, 0x01, 17,
    ];
    const fourth = [...extra, 0x88, 0x07, ...varint(1_709_065_920_000_000_000n)]; // 113: unknown too
    const message = Buffer.concat([writer.finish(), Buffer.from([fourth.length, ...fourth])]);
    const { flows, errors } = decodeGoflow2Protobuf(message, origin);
    expect(errors.map((e) => e.message)).toEqual([
      'flows-goflow2[0]@42: record 4: time_flow_start_ns: expected a flow or receive time, got 0',
    ]);
    expect(flows.map((f) => [f.bytesFwd, f.samplingRate, f.proto, f.end === f.start])).toEqual([
      [100, 1, 17, true],
      [200, 1, 17, true],
      [300, 1, 17, true],
    ]);
  });

  it('multiplies counters by the sampling rate', () => {
    const message = encode({
      time_flow_start_ns: START_NS.toString(),
      src_addr: v4(10, 0, 0, 1),
      dst_addr: v4(10, 0, 0, 2),
      proto: 6,
      bytes: 1518,
      packets: 1,
      sampling_rate: 1024,
    });
    const [flow] = decodeGoflow2Protobuf(message, origin).flows;
    expect(flow).toMatchObject({ bytesFwd: 1518 * 1024, pktsFwd: 1024, samplingRate: 1024 });
  });

  it('reads IPv6 and IPv4-mapped addresses, ICMP type/code, and v1 time fields', () => {
    const v6 = Buffer.alloc(16);
    v6.writeUInt32BE(0x20010db8, 0);
    v6[15] = 0x10;
    const mapped = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 51, 100, 1]);
    const seconds = encode({
      time_flow_start: 1713794372,
      time_flow_end: 1713794382,
      src_addr: v6,
      dst_addr: v6,
      proto: 58,
      icmp_type: 128,
    });
    const millis = encode({
      time_flow_start_ms: 1713794372250,
      src_addr: mapped,
      dst_addr: v4(1, 1, 1, 1),
      proto: 1,
      dst_port: 0x0303,
    });
    const { flows, errors } = decodeGoflow2Protobuf(Buffer.concat([seconds, millis]), origin);
    expect(errors).toEqual([]);
    expect(flows[0]).toMatchObject({
      start: 1713794372000,
      end: 1713794382000,
      srcIp: '2001:db8::10',
      srcPort: 128,
      dstPort: 0,
      proto: 58,
    });
    expect(flows[1]).toMatchObject({
      start: 1713794372250,
      srcIp: '198.51.100.1',
      srcPort: 3,
      dstPort: 3,
      proto: 1,
    });
  });

  it('accepts one undelimited FlowMessage (goflow2 v1 without fixedlen)', () => {
    const fields = {
      time_flow_start: 1713794372,
      src_addr: v4(10, 0, 0, 1),
      dst_addr: v4(10, 0, 0, 2),
      proto: 6,
      bytes: 60,
    };
    const bare = FLOW_MESSAGE.encode(FLOW_MESSAGE.create(fields)).finish();
    const { flows, errors } = decodeGoflow2Protobuf(bare, origin);
    expect(errors).toEqual([]);
    expect(flows).toMatchObject([{ srcIp: '10.0.0.1', bytesFwd: 60 }]);
  });

  it('keeps the flows before a truncated tail and reports the tail', () => {
    const good = encode({
      time_flow_start: 1713794372,
      src_addr: v4(10, 0, 0, 1),
      dst_addr: v4(10, 0, 0, 2),
      proto: 6,
    });
    const message = Buffer.concat([good, good, Buffer.from([0x40, 0x08, 0x01])]);
    const { flows, errors } = decodeGoflow2Protobuf(message, origin);
    expect(flows).toHaveLength(2);
    expect(errors.map((e) => [e.reason, e.message])).toEqual([
      ['bad_protobuf', 'flows-goflow2[0]@42: record 3: length prefix at byte 46 says 64 bytes, 2 remain'],
    ]);
  });

  it('reports bad frames, bad addresses and non-IP samples one by one', () => {
    const good = encode({
      time_flow_start: 1713794372,
      src_addr: v4(10, 0, 0, 1),
      dst_addr: v4(10, 0, 0, 2),
      proto: 6,
    });
    const badWire = Buffer.from([0x02, 0x0f, 0xff]); // tag with wire type 7 does not exist
    const shortAddr = encode({
      time_flow_start: 1713794372,
      src_addr: Buffer.from([10, 0, 0]),
      dst_addr: v4(10, 0, 0, 2),
    });
    const arp = encode({ time_flow_start: 1713794372, etype: 0x0806 });
    const { flows, errors } = decodeGoflow2Protobuf(Buffer.concat([good, badWire, shortAddr, arp]), origin);
    expect(flows).toHaveLength(1);
    expect(errors.map((e) => e.reason)).toEqual(['bad_protobuf', 'bad_address', 'not_ip']);
    expect(errors[1].message).toBe(
      'flows-goflow2[0]@42: record 3: src_addr: expected a 4 or 16 byte address, got 3 bytes',
    );
  });
});
