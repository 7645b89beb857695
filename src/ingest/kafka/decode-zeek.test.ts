import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../../core/flow-record.js';
import { decodeMessage } from './decode-message.js';

const origin = { topic: 'flows-zeek', partition: 3, offset: '1234' };
const source = { format: 'zeek', origin: 'flows-zeek', partition: 3, offset: '1234' };
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const T = Date.UTC(2024, 2, 1, 10, 0, 0);

describe('Zeek conn.log decoding', () => {
  it('decodes a plain record with epoch seconds (golden)', () => {
    const { flows, errors } = decodeMessage(fixture('zeek-conn-seconds.json'), 'zeek', origin);
    expect(errors).toEqual([]);
    const fwd = TCP_SYN | TCP_ACK | TCP_PSH | TCP_FIN;
    const rev = TCP_SYN | TCP_ACK | TCP_PSH | TCP_FIN;
    expect(flows).toHaveLength(1);
    expect(flows[0].start).toBeCloseTo(T + 123.456, 3);
    expect(flows[0].end).toBeCloseTo(T + 1623.456, 3);
    expect({ ...flows[0], start: 0, end: 0 }).toEqual({
      start: 0,
      end: 0,
      srcIp: '10.0.0.5',
      dstIp: '93.184.216.34',
      srcPort: 49152,
      dstPort: 80,
      proto: 6,
      bytesFwd: 740,
      pktsFwd: 6,
      bytesRev: 5492,
      pktsRev: 7,
      tcpFlags: fwd | rev,
      tcpFlagsFwd: fwd,
      tcpFlagsRev: rev,
      vlan: 30,
      exporter: 'zeek-worker-1',
      communityId: '1:s7WfaTc8ruoCqU81VxLwcQvNb3k=',
      source,
    });
  });

  it('decodes a zeek-kafka {"conn": ...} record with epoch millis and "-" fields (golden)', () => {
    const { flows, errors } = decodeMessage(fixture('zeek-conn-millis-tagged.json'), 'zeek', origin);
    expect(errors).toEqual([]);
    expect(flows).toEqual([
      {
        start: T + 123,
        end: T + 123,
        srcIp: '10.0.0.9',
        dstIp: '224.0.0.251',
        srcPort: 5353,
        dstPort: 5353,
        proto: 17,
        bytesFwd: 0,
        pktsFwd: 1,
        bytesRev: 0,
        pktsRev: 0,
        tcpFlags: 0,
        source,
      },
    ]);
  });

  it('decodes an ISO 8601 record with a nested id and IPv6 ICMP (golden)', () => {
    const { flows, errors } = decodeMessage(fixture('zeek-conn-iso-nested.json'), 'zeek', origin);
    expect(errors).toEqual([]);
    expect(flows).toEqual([
      {
        start: T + 123.456,
        end: T + 123.456 + 0.512,
        srcIp: 'fe80::200:86ff:fe05:80da',
        dstIp: 'ff02::1',
        srcPort: 128,
        dstPort: 129,
        proto: 58,
        bytesFwd: 56,
        pktsFwd: 1,
        bytesRev: 0,
        pktsRev: 0,
        tcpFlags: 0,
        source,
      },
    ]);
  });

  it('derives per-direction flags of a rejected connection from history', () => {
    const { flows } = decodeMessage(fixture('zeek-conn-rejected.json'), 'zeek', origin);
    expect(flows[0]).toMatchObject({
      tcpFlags: TCP_SYN | TCP_RST,
      tcpFlagsFwd: TCP_SYN,
      tcpFlagsRev: TCP_RST,
    });
  });

  it('falls back to conn_state without history and to payload bytes without IP bytes', () => {
    const record = JSON.parse(fixture('zeek-conn-rejected.json').toString());
    delete record.history;
    delete record.orig_ip_bytes;
    record.orig_bytes = 0;
    const { flows } = decodeMessage(Buffer.from(JSON.stringify(record)), 'zeek', origin);
    expect(flows[0]).toMatchObject({ tcpFlagsFwd: TCP_SYN, tcpFlagsRev: TCP_RST | TCP_ACK, bytesFwd: 0 });
  });

  it('rejects other tagged logs and bad fields with their path', () => {
    const dns = Buffer.from('{"dns":{"ts":1709287200.5,"uid":"C1","query":"example.com"}}');
    const bad = Buffer.from(
      '{"ts":1709287200,"id.orig_h":"x","id.orig_p":1,"id.resp_h":"10.0.0.1","id.resp_p":2,"proto":"tcp"}',
    );
    const port = Buffer.from(
      '{"ts":1709287200,"id.orig_h":"10.0.0.2","id.orig_p":70000,"id.resp_h":"10.0.0.1","proto":"tcp"}',
    );
    const noTs = Buffer.from('{"id.orig_h":"10.0.0.2","id.resp_h":"10.0.0.1","proto":"tcp"}');
    const all = Buffer.concat([
      dns,
      Buffer.from('\n'),
      bad,
      Buffer.from('\n'),
      port,
      Buffer.from('\n'),
      noTs,
    ]);
    const { flows, errors } = decodeMessage(all, 'zeek', origin);
    expect(flows).toEqual([]);
    expect(errors.map((e) => [e.reason, e.message])).toEqual([
      [
        'unsupported_event',
        'flows-zeek[3]@1234: record 1: dns: expected a conn.log record, got a "dns" record',
      ],
      ['bad_address', 'flows-zeek[3]@1234: record 2: id.orig_h: expected an IP address, got "x"'],
      ['wrong_type', 'flows-zeek[3]@1234: record 3: id.orig_p: expected an integer 0..65535, got 70000'],
      ['missing_field', 'flows-zeek[3]@1234: record 4: ts: expected a timestamp, got nothing'],
    ]);
  });
});
