import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeMessage } from './decode-message.js';

const origin = { topic: 'flows-json', partition: 1, offset: '900' };
const source = { format: 'goflow2-json', origin: 'flows-json', partition: 1, offset: '900' };
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

describe('goflow2 JSON decoding', () => {
  it('decodes v2 snake_case output, scaling counters by the sampling rate (golden)', () => {
    const { flows, errors } = decodeMessage(fixture('goflow2-v2.json'), 'goflow2-json', origin);
    expect(errors).toEqual([]);
    const t = Number(1709065920620635488n) / 1e6;
    expect(flows).toEqual([
      {
        start: t,
        end: t,
        srcIp: '10.10.11.38',
        dstIp: '10.10.11.54',
        srcPort: 16443,
        dstPort: 57444,
        proto: 6,
        bytesFwd: 1518 * 1024,
        pktsFwd: 1024,
        bytesRev: 0,
        pktsRev: 0,
        tcpFlags: 16,
        tcpFlagsFwd: 16,
        samplingRate: 1024,
        exporter: '10.10.26.5',
        outIf: 5031,
        source,
      },
    ]);
  });

  it('decodes v1 CamelCase output with second timestamps (golden)', () => {
    const { flows, errors } = decodeMessage(fixture('goflow2-v1-camel.json'), 'goflow2-json', origin);
    expect(errors).toEqual([]);
    expect(flows).toEqual([
      {
        start: 1713794372000,
        end: 1713794382000,
        srcIp: '151.235.27.60',
        dstIp: '188.114.97.6',
        srcPort: 39228,
        dstPort: 443,
        proto: 6,
        bytesFwd: 2208,
        pktsFwd: 10,
        bytesRev: 0,
        pktsRev: 0,
        tcpFlags: 27,
        tcpFlagsFwd: 27,
        samplingRate: 1,
        exporter: '10.45.2.2',
        vlan: 41,
        inIf: 28,
        outIf: 20,
        source,
      },
    ]);
  });

  it('accepts 64-bit counters as decimal strings and rejects negative ones', () => {
    const record = {
      time_flow_start_ns: '1709065920620635488',
      src_addr: '2001:db8::1',
      dst_addr: '2001:db8::2',
      proto: 'UDP',
      bytes: '4000',
      packets: '2',
    };
    const ok = decodeMessage(Buffer.from(JSON.stringify(record)), 'goflow2-json', origin);
    expect(ok.flows[0]).toMatchObject({ proto: 17, bytesFwd: 4000, pktsFwd: 2, srcIp: '2001:db8::1' });
    const bad = decodeMessage(Buffer.from(JSON.stringify({ ...record, bytes: -5 })), 'goflow2-json', origin);
    expect(bad.errors.map((e) => [e.reason, e.message])).toEqual([
      ['wrong_type', 'flows-json[1]@900: record 1: bytes: expected a count >= 0, got -5'],
    ]);
  });

  it('labels non-IP samples and unknown protocol names', () => {
    const arp = { time_flow_start_ns: 1, etype: 'ARP', src_addr: '', dst_addr: '' };
    const proto = { TimeFlowStart: 1713794372, SrcAddr: '10.0.0.1', DstAddr: '10.0.0.2', Proto: 'QUIC' };
    const text = `${JSON.stringify(arp)}\n${JSON.stringify(proto)}\n`;
    const { errors } = decodeMessage(Buffer.from(text), 'goflow2-json', origin);
    expect(errors.map((e) => [e.reason, e.message])).toEqual([
      ['not_ip', 'flows-json[1]@900: record 1: src_addr: ethertype ARP carries no IP flow'],
      [
        'wrong_type',
        'flows-json[1]@900: record 2: proto: expected an IP protocol number or name, got "QUIC"',
      ],
    ]);
  });
});
