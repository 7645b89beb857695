import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeCaptures, requireTools, shiftCapture } from './support/capture-tools.js';
import { sharedData, tempDir } from './support/daemon-process.js';
import { countNonFirstFragments, type PcapLayout, readPcapLayout } from './support/pcap-records.js';
import { type EcsAlert, type ReplayResult, replay, samplePcap, writeReplayConfig } from './support/replay.js';

/**
 * Real DDoS captures (StopDDoS collection, attack traffic only) mixed into the bundled sample:
 * each capture is shifted to start at 07:30, inside the sample's attack phase and long after every
 * segment warmed up, and its victim network is added to the `servers` segment, so the attack hits
 * a model that learned benign traffic first.
 *
 * Direction, checked with `tshark -T fields -e ip.src -e ip.dst`: in every capture every packet is
 * addressed TO the victim (one-way, incoming). In the direct floods the victim is the flow's
 * responder, so alerts must name it as destination. In the reflection captures the packets are
 * replies (SYN-ACKs, UDP from the reflectors' service ports 47808, 500, 161 and 53), and a flow
 * assembler may legitimately orient such a flow with the victim as initiator: there either side
 * may name the victim.
 */
const stopddos = path.join(sharedData, 'stopddos');
const ATTACK_START_US = BigInt(Date.parse('2024-03-12T07:30:00Z')) * 1000n;

interface AttackCapture {
  file: string;
  victim: string;
  victimSide: 'destination' | 'either';
}

const captures: AttackCapture[] = [
  // Spoofed SYN flood to many victim ports.
  { file: 'pkt.TCP.synflood.spoofed.pcap', victim: '10.10.10.10', victimSide: 'destination' },
  // SYN flood with ECN and CWR set.
  { file: 'pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng', victim: '10.10.10.10', victimSide: 'destination' },
  // SYNs (some with ACK) from a few sources to the victim, spread over 818 s.
  {
    file: 'amp.TCP.syn.optionallyACK.optionallysamePort.pcapng',
    victim: '10.10.10.10',
    victimSide: 'destination',
  },
  // SYN-ACKs from reflectors answering SYNs spoofed with the victim's address.
  { file: 'amp.TCP.reflection.SYNACK.pcap', victim: '10.10.10.10', victimSide: 'either' },
  // BACnet replies from udp/47808 of IoT devices.
  { file: 'amp.UDP.bacnet.IOT.37810.pcapng', victim: '10.10.10.1', victimSide: 'either' },
  // IKE replies from udp/500.
  { file: 'amp.UDP.isakmp.pcap', victim: '10.10.10.10', victimSide: 'either' },
  // SNMP replies from udp/161.
  { file: 'amp.UDP.snmp.src161.pcapng', victim: '10.10.10.10', victimSide: 'either' },
  // DNS RRSIG replies from udp/53, large enough to arrive as IP fragments.
  { file: 'amp.dns.RRSIG.fragmented.pcap', victim: '10.10.10.10', victimSide: 'either' },
];

interface Mix {
  capture: AttackCapture;
  mixed: string;
  attackPackets: number;
  fragments: number;
  startMs: number;
  endMs: number;
}

function spanOf(layout: PcapLayout): { firstUs: bigint; lastUs: bigint } {
  let firstUs = layout.records[0]!.tsMicros;
  let lastUs = firstUs;
  for (const { tsMicros } of layout.records) {
    if (tsMicros < firstUs) firstUs = tsMicros;
    if (tsMicros > lastUs) lastUs = tsMicros;
  }
  return { firstUs, lastUs };
}

function namesVictim(alert: EcsAlert, capture: AttackCapture): boolean {
  if (alert.destination.ip === capture.victim) return true;
  return capture.victimSide === 'either' && alert.source.ip === capture.victim;
}

describe('StopDDoS captures mixed into the sample', () => {
  let dir: string;
  let config: string;
  let samplePackets: number;
  let sampleFragments: number;
  const mixes = new Map<string, Mix>();

  beforeAll(() => {
    requireTools(['editcap', 'mergecap']);
    expect(readdirSync(stopddos).sort()).toEqual(captures.map((c) => c.file).sort());
    dir = tempDir('tapwatch-stopddos-');
    config = writeReplayConfig(dir, ['10.10.10.0/24']);
    const sample = readPcapLayout(samplePcap);
    samplePackets = sample.records.length;
    sampleFragments = countNonFirstFragments(sample);
    for (const capture of captures) {
      const source = path.join(stopddos, capture.file);
      const layout = readPcapLayout(source);
      const { firstUs, lastUs } = spanOf(layout);
      const shifted = path.join(dir, `${capture.file}.shifted.pcap`);
      shiftCapture(source, shifted, ATTACK_START_US - firstUs);
      const check = spanOf(readPcapLayout(shifted));
      if (check.firstUs !== ATTACK_START_US)
        throw new Error(`${shifted}: first packet at ${check.firstUs} µs, expected ${ATTACK_START_US}`);
      const mixed = path.join(dir, `${capture.file}.mix.pcapng`);
      mergeCaptures(mixed, [samplePcap, shifted]);
      mixes.set(capture.file, {
        capture,
        mixed,
        attackPackets: layout.records.length,
        fragments: countNonFirstFragments(layout),
        startMs: Number(ATTACK_START_US / 1000n),
        endMs: Number(ATTACK_START_US + (lastUs - firstUs)) / 1000,
      });
    }
  });

  describe.each(captures)('$file', (capture) => {
    let mix: Mix;
    let run: ReplayResult;

    beforeAll(async () => {
      mix = mixes.get(capture.file)!;
      run = await replay([mix.mixed], config, { timeoutMs: 60_000 });
    });

    it('replays the mix to the end and exits 0', () => {
      expect(run.code, run.stderr).toBe(0);
      expect(run.summary?.error).toBeUndefined();
    });

    it('counts every packet of the sample and of the attack', () => {
      expect(run.summary!.packets).toBe(samplePackets + mix.attackPackets);
    });

    it('counts non-first IP fragments as decode errors, not flows', () => {
      expect(run.summary!.decodeErrors.fragment ?? 0).toBe(sampleFragments + mix.fragments);
      if (capture.file === 'amp.dns.RRSIG.fragmented.pcap') expect(mix.fragments).toBeGreaterThan(100);
    });

    it(`alerts on the victim (${capture.victim}, ${capture.victimSide}) in the servers segment during the attack`, () => {
      const hits = run.alerts.filter((alert) => {
        const start = Date.parse(alert.event.start ?? '');
        return namesVictim(alert, capture) && start >= mix.startMs && start <= mix.endMs;
      });
      expect(
        hits.length,
        `no alert names ${capture.victim} between ${mix.startMs} and ${mix.endMs}`,
      ).toBeGreaterThan(0);
      expect(new Set(hits.map((a) => a.labels.segment))).toEqual(new Set(['servers']));
    });
  });
});
