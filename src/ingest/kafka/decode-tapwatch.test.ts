import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../core/flow-record.js';
import { decodeMessage } from './decode-message.js';

const origin = { topic: 'tapwatch-routed', partition: 5, offset: '18446744073709551615' };

const flow: FlowRecord = {
  start: 1709287200123.25,
  end: 1709287201000,
  srcIp: '10.0.0.5',
  dstIp: '2001:db8::7',
  srcPort: 40000,
  dstPort: 22,
  proto: 6,
  bytesFwd: 1200,
  pktsFwd: 10,
  bytesRev: 3400,
  pktsRev: 9,
  tcpFlags: 0x1b,
  tcpFlagsFwd: 0x1b,
  tcpFlagsRev: 0x12,
  samplingRate: 1,
  exporter: 'sensor-1',
  vlan: 12,
  inIf: 3,
  outIf: 4,
  communityId: '1:abc=',
  segment: 'dmz',
  source: { format: 'pcap', origin: 'capture.pcap', firstPacket: 1, lastPacket: 19 },
};

describe('tapwatch JSON decoding', () => {
  it('round-trips a FlowRecord, replacing source with the message position', () => {
    const { flows, errors } = decodeMessage(Buffer.from(JSON.stringify(flow)), 'tapwatch', origin);
    expect(errors).toEqual([]);
    expect(flows).toEqual([
      {
        ...flow,
        source: {
          format: 'tapwatch',
          origin: 'tapwatch-routed',
          partition: 5,
          offset: '18446744073709551615',
        },
      },
    ]);
  });

  it('takes numeric times as milliseconds and needs no source', () => {
    const { source: _omitted, ...bare } = flow;
    const small = { ...bare, start: 5000, end: 6000 };
    const { flows } = decodeMessage(Buffer.from(JSON.stringify(small)), 'tapwatch', origin);
    expect(flows[0]).toMatchObject({ start: 5000, end: 6000 });
  });

  it('rejects a record without addresses', () => {
    const { srcIp: _omitted, ...bare } = flow;
    const { errors } = decodeMessage(Buffer.from(JSON.stringify(bare)), 'tapwatch', origin);
    expect(errors.map((e) => e.message)).toEqual([
      'tapwatch-routed[5]@18446744073709551615: record 1: srcIp: expected an IP address, got nothing',
    ]);
  });
});
