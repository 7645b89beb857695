import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeMessage } from './decode-message.js';

const origin = { topic: 'suricata-eve', partition: 2, offset: '7781' };
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

describe('Suricata EVE decoding', () => {
  it('decodes a bidirectional flow event (golden)', () => {
    const { flows, errors, format } = decodeMessage(fixture('eve-flow-tcp.json'), 'eve', origin);
    expect(errors).toEqual([]);
    expect(format).toBe('eve');
    expect(flows).toEqual([
      {
        start: Date.UTC(2024, 2, 1, 10, 0, 0) + 123.456,
        end: Date.UTC(2024, 2, 1, 10, 0, 30) + 654.321,
        srcIp: '10.20.30.40',
        dstIp: '2001:db8::a1',
        srcPort: 51514,
        dstPort: 443,
        proto: 6,
        bytesFwd: 1830,
        pktsFwd: 12,
        bytesRev: 9403,
        pktsRev: 10,
        tcpFlags: 0x1f,
        tcpFlagsFwd: 0x1f,
        tcpFlagsRev: 0x1b,
        vlan: 120,
        exporter: 'sensor-dmz-1',
        communityId: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
        source: { format: 'eve', origin: 'suricata-eve', partition: 2, offset: '7781' },
      },
    ]);
  });

  it('decodes a one-directional netflow event with ICMP type and code as ports (golden)', () => {
    const { flows, errors } = decodeMessage(fixture('eve-netflow-icmp.json'), 'eve', origin);
    expect(errors).toEqual([]);
    expect(flows).toEqual([
      {
        start: Date.UTC(2024, 2, 1, 10, 4, 56),
        end: Date.UTC(2024, 2, 1, 10, 4, 59),
        srcIp: '192.0.2.7',
        dstIp: '198.51.100.9',
        srcPort: 8,
        dstPort: 0,
        proto: 1,
        bytesFwd: 336,
        pktsFwd: 4,
        bytesRev: 0,
        pktsRev: 0,
        tcpFlags: 0,
        exporter: 'ens3f0',
        source: { format: 'eve', origin: 'suricata-eve', partition: 2, offset: '7781' },
      },
    ]);
  });

  it('rejects other event types as unsupported_event', () => {
    const { flows, errors } = decodeMessage(fixture('eve-alert.json'), 'eve', origin);
    expect(flows).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0].reason).toBe('unsupported_event');
    expect(errors[0].code).toBe('TAPWATCH_INPUT_MALFORMED');
    expect(errors[0].message).toBe(
      'suricata-eve[2]@7781: record 1: event_type: expected "flow" or "netflow", got "alert"',
    );
  });

  it('names the field and value of a bad address', () => {
    const event = JSON.parse(fixture('eve-flow-tcp.json').toString());
    event.src_ip = '10.20.30.400';
    const { flows, errors } = decodeMessage(Buffer.from(JSON.stringify(event)), 'eve', origin);
    expect(flows).toEqual([]);
    expect(errors.map((e) => [e.reason, e.message])).toEqual([
      ['bad_address', 'suricata-eve[2]@7781: record 1: src_ip: expected an IP address, got "10.20.30.400"'],
    ]);
  });

  it('falls back to the event timestamp and reads a numeric protocol', () => {
    const event = {
      timestamp: '2024-03-01T10:00:00.000000+0000',
      event_type: 'flow',
      src_ip: '10.0.0.1',
      dest_ip: '10.0.0.2',
      proto: '47',
      flow: { pkts_toserver: 2, bytes_toserver: 200 },
    };
    const { flows, errors } = decodeMessage(Buffer.from(JSON.stringify(event)), 'eve', origin);
    expect(errors).toEqual([]);
    expect(flows[0]).toMatchObject({ start: Date.UTC(2024, 2, 1, 10), proto: 47, srcPort: 0, pktsRev: 0 });
  });
});
