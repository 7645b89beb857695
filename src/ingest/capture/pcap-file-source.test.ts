import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import type { FlowRecord } from '../../core/flow-record.js';
import { buildFrame } from '../../tools/frame-spec.js';
import { PcapWriter } from '../../tools/pcap-writer.js';
import { PcapFileSource } from './pcap-file-source.js';

const DATA = path.resolve(process.cwd(), '../shared/data/stopddos');
const FLOWS = { idleTimeoutSeconds: 30, activeTimeoutSeconds: 300, maxFlows: 500_000 };
const dir = mkdtempSync(path.join(tmpdir(), 'tapwatch-source-'));

/** Writes `frame` once at each of `timesMs` (epoch ms) as classic pcap. */
function repeatedFrame(file: string, frame: Uint8Array, timesMs: number[]): void {
  const writer = new PcapWriter(file);
  for (const tsMs of timesMs) writer.writePacket(tsMs, frame);
  writer.close();
}

async function collect(
  source: PcapFileSource,
): Promise<{ flows: FlowRecord[]; sizes: number[]; error?: unknown }> {
  const flows: FlowRecord[] = [];
  const sizes: number[] = [];
  try {
    for await (const batch of source.batches()) {
      sizes.push(batch.length);
      flows.push(...batch);
    }
  } catch (error) {
    return { flows, sizes, error };
  }
  return { flows, sizes };
}

describe('PcapFileSource', () => {
  it('turns the spoofed SYN flood into one flow per spoofed source socket', async () => {
    const source = new PcapFileSource([path.join(DATA, 'pkt.TCP.synflood.spoofed.pcap')], FLOWS, {
      speed: 0,
      batchFlows: 2000,
    });
    const { flows, sizes } = await collect(source);
    // tshark counts 37,669 distinct (src, sport, dst, dport) tuples from 37,623 source addresses.
    expect(flows).toHaveLength(37_669);
    expect(new Set(flows.map((f) => f.srcIp)).size).toBe(37_623);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2000);
    expect(flows.every((f) => f.proto === 6 && f.pktsRev === 0 && f.tcpFlagsFwd === 0x02)).toBe(true);
    expect(source.stats).toMatchObject({ packets: 37_841, activeFlows: 0, flowsEvicted: 0 });
    expect(flows[0].source).toMatchObject({ format: 'pcap', firstPacket: 1, endReason: 'flush' });
  });

  it('counts the fragments of the fragmented DNS capture', async () => {
    const source = new PcapFileSource([path.join(DATA, 'amp.dns.RRSIG.fragmented.pcap')], FLOWS, {
      speed: 0,
    });
    const { flows } = await collect(source);
    const stats = source.stats;
    // tshark: 726 packets with a non-zero fragment offset, 483 first fragments (MF set, offset 0).
    expect([stats.fragments, stats.decodeErrors.fragment, stats.firstFragments]).toEqual([726, 726, 483]);
    expect(flows.reduce((n, f) => n + f.pktsFwd + f.pktsRev, 0) + stats.packetsAfterClose).toBe(4412 - 726);
  });

  it('gives the same flows for the pcapng conversion made by editcap', async () => {
    const pcap = path.join(DATA, 'amp.UDP.isakmp.pcap');
    const pcapng = path.join(dir, 'isakmp.pcapng');
    execFileSync('editcap', ['-F', 'pcapng', pcap, pcapng]);
    const a = await collect(new PcapFileSource([pcap], FLOWS, { speed: 0 }));
    const b = await collect(new PcapFileSource([pcapng], FLOWS, { speed: 0 }));
    expect(b.flows).toHaveLength(a.flows.length);
    const key = (f: FlowRecord) => [f.srcIp, f.srcPort, f.dstIp, f.dstPort, f.start, f.bytesFwd];
    expect(b.flows.map(key)).toEqual(a.flows.map(key));
    expect(b.flows[0].source.format).toBe('pcapng');
  });

  it('reads several files in order and counts packets per file', async () => {
    const files = [
      path.join(DATA, 'amp.UDP.snmp.src161.pcapng'),
      path.join(DATA, 'amp.TCP.reflection.SYNACK.pcap'),
    ];
    const source = new PcapFileSource(files, FLOWS, { speed: 0 });
    const { flows } = await collect(source);
    expect(source.stats.filePackets).toEqual({ [files[0]]: 4373, [files[1]]: 8000 });
    const firstOfSecond = flows.findIndex((f) => f.source.origin === files[1]);
    expect(flows.slice(firstOfSecond).every((f) => f.source.origin === files[1])).toBe(true);
    // The reflection capture starts with SYN+ACKs: the victim they answer is the initiator.
    const synAck = flows.find((f) => f.source.origin === files[1] && f.tcpFlags === 0x12);
    expect(synAck).toMatchObject({ pktsFwd: 0, pktsRev: 1, dstIp: expect.not.stringMatching(/^10\.10\./) });
  });

  it('delivers the flows before the damage of a truncated file, then throws', async () => {
    const real = readFileSync(path.join(DATA, 'amp.UDP.isakmp.pcap'));
    const cut = path.join(dir, 'cut.pcap');
    writeFileSync(cut, real.subarray(0, Math.floor(real.length / 2)));
    const never = path.join(DATA, 'pkt.TCP.synflood.spoofed.pcap');
    const source = new PcapFileSource([cut, never], FLOWS, { speed: 0, batchFlows: 500 });
    const { flows, error } = await collect(source);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('TAPWATCH_INPUT_CORRUPT');
    expect((error as Error).message).toMatch(
      /cut\.pcap: truncated packet record at byte \d+ \(packet \d+\): header says \d+ bytes, \d+ remain$/,
    );
    const packets = source.stats.packets;
    expect(flows.reduce((n, f) => n + f.pktsFwd + f.pktsRev, 0)).toBe(packets);
    expect(source.stats.filePackets[never]).toBeUndefined();
  });

  it('stops on close(), still yielding the flushed flows, and close() is idempotent', async () => {
    // A small table makes the flood export (evict) flows long before the end of the file.
    const small = { ...FLOWS, maxFlows: 1000 };
    const source = new PcapFileSource([path.join(DATA, 'pkt.TCP.synflood.spoofed.pcap')], small, {
      speed: 0,
      batchFlows: 100,
    });
    const flows: FlowRecord[] = [];
    let closing: Promise<void> | undefined;
    for await (const batch of source.batches()) {
      flows.push(...batch);
      closing ??= source.close();
    }
    expect(source.close()).toBe(closing);
    await closing;
    expect(source.stats.packets).toBeLessThan(37_841);
    expect(flows.reduce((n, f) => n + f.pktsFwd, 0)).toBe(source.stats.packets);
  });

  it('paces by packet timestamps at the configured speed and can be closed while waiting', async () => {
    const frame = buildFrame({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, srcPort: 1, dstPort: 2 });
    const t0 = 1_700_000_000_000;
    const paced = path.join(dir, 'paced.pcap');
    repeatedFrame(paced, frame, [t0, t0 + 200, t0 + 400]);
    const started = performance.now();
    const { flows } = await collect(new PcapFileSource([paced], FLOWS, { speed: 2 }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(180);
    expect(flows[0].pktsFwd).toBe(3);

    const slow = path.join(dir, 'slow.pcap');
    repeatedFrame(slow, frame, [t0, t0 + 3_600_000]);
    const source = new PcapFileSource([slow], FLOWS, { speed: 1 });
    const run = collect(source);
    // Close once the first packet is in, however long a loaded machine takes to get there.
    while (source.stats.packets === 0) await new Promise((r) => setTimeout(r, 5));
    void source.close();
    const { flows: early } = await run;
    // The packet an hour later was still waiting for its time: it never joined a flow.
    expect(early.map((f) => [f.pktsFwd, f.source.endReason])).toEqual([[1, 'flush']]);
    expect(source.stats.packets).toBe(1);
  });

  it('rejects a missing file as unreadable', async () => {
    const { error } = await collect(new PcapFileSource([path.join(dir, 'nope.pcap')], FLOWS, { speed: 0 }));
    expect((error as InputError).code).toBe('TAPWATCH_INPUT_UNREADABLE');
  });
});
