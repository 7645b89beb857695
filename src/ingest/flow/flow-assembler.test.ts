import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../core/flow-record.js';
import { buildFrame, type FrameSpec } from '../../tools/frame-spec.js';
import { decodePacket } from '../packet/decode-packet.js';
import { DecodedPacket } from '../packet/decoded-packet.js';
import { FlowAssembler } from './flow-assembler.js';

const CONFIG = { idleTimeoutSeconds: 30, activeTimeoutSeconds: 300, maxFlows: 1000 };
const T0 = 1_700_000_000_000;
const SYN = 0x02;
const ACK = 0x10;
const FIN = 0x01;
const RST = 0x04;

/** Feeds frames (with their time offsets in ms) to a fresh assembler and collects the exports. */
function run(
  packets: [number, FrameSpec][],
  config = CONFIG,
  flush = true,
): { flows: FlowRecord[]; asm: FlowAssembler } {
  const flows: FlowRecord[] = [];
  const asm = new FlowAssembler(config, (f) => flows.push(f));
  asm.setOrigin('pcap', 'test.pcap');
  const pkt = new DecodedPacket();
  packets.forEach(([dt, spec], i) => {
    const frame = buildFrame(spec);
    expect(decodePacket(pkt, frame, 0, frame.length, 1)).toBe(true);
    asm.add(pkt, T0 + dt, i + 1);
  });
  if (flush) asm.flush();
  return { flows, asm };
}

const c2s = (flags: number, payloadBytes = 0): FrameSpec => ({
  src: '10.0.0.1',
  dst: '10.0.0.2',
  proto: 6,
  srcPort: 40000,
  dstPort: 80,
  tcpFlags: flags,
  payloadBytes,
});
const s2c = (flags: number, payloadBytes = 0): FrameSpec => ({
  src: '10.0.0.2',
  dst: '10.0.0.1',
  proto: 6,
  srcPort: 80,
  dstPort: 40000,
  tcpFlags: flags,
  payloadBytes,
});

describe('FlowAssembler', () => {
  it('assembles a TCP connection both ways and ends it once both sides sent FIN', () => {
    const { flows, asm } = run([
      [0, c2s(SYN)],
      [1, s2c(SYN | ACK)],
      [2, c2s(ACK)],
      [3, c2s(ACK, 100)],
      [4, s2c(ACK, 1000)],
      [5, c2s(FIN | ACK)],
      [6, s2c(FIN | ACK)],
      [7, c2s(ACK)],
    ]);
    expect(flows).toHaveLength(1);
    const f = flows[0];
    expect(f).toMatchObject({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 40000, dstPort: 80, proto: 6 });
    expect([f.start, f.end, f.pktsFwd, f.pktsRev, f.bytesFwd, f.bytesRev]).toEqual([
      T0,
      T0 + 6,
      4,
      3,
      40 * 4 + 100,
      40 * 3 + 1000,
    ]);
    expect([f.tcpFlags, f.tcpFlagsFwd, f.tcpFlagsRev]).toEqual([
      SYN | ACK | FIN,
      SYN | ACK | FIN,
      SYN | ACK | FIN,
    ]);
    expect(f.source).toEqual({
      format: 'pcap',
      origin: 'test.pcap',
      firstPacket: 1,
      lastPacket: 7,
      endReason: 'fin',
    });
    // Capture flows leave the Community ID to the alert stage.
    expect(f.communityId).toBeUndefined();
    // The trailing ACK of the close neither forms a flow nor is lost silently.
    expect(asm.stats.packetsAfterClose).toBe(1);
  });

  it('ends a flow on RST and starts a new one on a later SYN', () => {
    const { flows } = run([
      [0, c2s(SYN)],
      [1, s2c(RST | ACK)],
      [2, c2s(SYN)],
    ]);
    expect(flows.map((f) => f.source.endReason)).toEqual(['rst', 'flush']);
    expect(flows[0].pktsRev).toBe(1);
  });

  it('treats the receiver of a first SYN+ACK as the initiator', () => {
    const { flows } = run([[0, s2c(SYN | ACK)]]);
    expect(flows[0]).toMatchObject({
      srcIp: '10.0.0.1',
      srcPort: 40000,
      dstPort: 80,
      pktsFwd: 0,
      pktsRev: 1,
      tcpFlagsRev: SYN | ACK,
    });
  });

  it('exports idle and active flows by event time', () => {
    const udp = (dt: number): [number, FrameSpec] => [
      dt,
      { src: '10.0.0.1', dst: '10.0.0.9', proto: 17, srcPort: 5000, dstPort: 53 },
    ];
    const other: [number, FrameSpec] = [
      40_000,
      { src: '10.0.0.3', dst: '10.0.0.9', proto: 17, srcPort: 1, dstPort: 2 },
    ];
    const idle = run([udp(0), udp(10_000), other], CONFIG, false);
    expect(idle.flows.map((f) => [f.source.endReason, f.pktsFwd, f.end - f.start])).toEqual([
      ['idle', 2, 10_000],
    ]);
    const times = Array.from({ length: 35 }, (_, i) => udp(i * 10_000));
    const active = run(times, { ...CONFIG, activeTimeoutSeconds: 100 });
    expect(active.flows.map((f) => f.source.endReason)).toEqual(['active', 'active', 'active', 'flush']);
    expect(active.flows.reduce((n, f) => n + f.pktsFwd, 0)).toBe(35);
  });

  it('keeps VLANs apart and pairs an ICMP echo with its reply', () => {
    const { flows } = run([
      [0, { ...c2s(SYN), vlan: 10 }],
      [1, { ...c2s(SYN), vlan: 20 }],
      [2, { src: '10.0.0.1', dst: '10.0.0.2', proto: 1, srcPort: 8, dstPort: 0 }],
      [3, { src: '10.0.0.2', dst: '10.0.0.1', proto: 1, srcPort: 0, dstPort: 0 }],
      [4, { src: '2001:db8::1', dst: '2001:db8::2', proto: 58, srcPort: 128, dstPort: 0 }],
      [5, { src: '2001:db8::2', dst: '2001:db8::1', proto: 58, srcPort: 129, dstPort: 0 }],
    ]);
    expect(flows.map((f) => [f.proto, f.vlan, f.pktsFwd, f.pktsRev, f.srcPort, f.dstPort])).toEqual([
      [6, 10, 1, 0, 40000, 80],
      [6, 20, 1, 0, 40000, 80],
      [1, undefined, 1, 1, 8, 0],
      [58, undefined, 1, 1, 128, 0],
    ]);
    expect(flows[3]).toMatchObject({ srcIp: '2001:db8::1', dstIp: '2001:db8::2' });
  });

  it('flushes in steps of at most the asked number of flows', () => {
    const udp = (i: number): [number, FrameSpec] => [
      i,
      { src: '10.0.0.1', dst: '10.0.0.9', proto: 17, srcPort: 1000 + i, dstPort: 53 },
    ];
    const { flows, asm } = run([udp(0), udp(1), udp(2), udp(3), udp(4)], CONFIG, false);
    expect([asm.flushSome(2), flows.length]).toEqual([true, 2]);
    expect([asm.flushSome(2), flows.length]).toEqual([true, 4]);
    expect([asm.flushSome(2), flows.length, asm.size]).toEqual([false, 5, 0]);
    expect(flows.map((f) => f.srcPort)).toEqual([1000, 1001, 1002, 1003, 1004]);
  });

  it('stays bounded under a flood of distinct keys, evicting the least recently seen', () => {
    const flood: [number, FrameSpec][] = [];
    for (let i = 0; i < 5000; i++) {
      flood.push([
        i,
        {
          src: `198.18.${i >> 8}.${i & 255}`,
          dst: '10.0.0.1',
          proto: 6,
          srcPort: 1024 + i,
          dstPort: 80,
          tcpFlags: SYN,
        },
      ]);
    }
    const { flows, asm } = run(flood, { ...CONFIG, maxFlows: 100 }, false);
    expect(asm.size).toBe(100);
    expect(asm.stats.flowsEvicted).toBe(4900);
    expect(flows[0]).toMatchObject({ srcIp: '198.18.0.0', source: { endReason: 'evicted', firstPacket: 1 } });
  });

  it('tolerates hash collisions by comparing the whole key', () => {
    // Many distinct IPv6 keys that differ only in high words exercise the chain comparison.
    const pkts: [number, FrameSpec][] = [];
    for (let i = 0; i < 300; i++)
      pkts.push([
        i,
        { src: `2001:db8:${i.toString(16)}::1`, dst: '2001:db8::2', proto: 17, srcPort: 1, dstPort: 2 },
      ]);
    for (let i = 0; i < 300; i++)
      pkts.push([
        300 + i,
        { src: '2001:db8::2', dst: `2001:db8:${i.toString(16)}::1`, proto: 17, srcPort: 2, dstPort: 1 },
      ]);
    const { flows } = run(pkts);
    expect(flows).toHaveLength(300);
    expect(flows.every((f) => f.pktsFwd === 1 && f.pktsRev === 1)).toBe(true);
  });
});
