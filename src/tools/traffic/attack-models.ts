import { IPPROTO_TCP } from '../../core/flow-record.js';
import { ephemeralPort, type ModelContext } from './model-context.js';
import { C2_SERVER, EXFIL_HOST, ipv4, ipv4Text, randomPublicIpv4, SERVERS } from './network-layout.js';
import { App, type ConversationSpec } from './packet-plan.js';
import type { Prng } from './prng.js';

/** What the generator knows about one attack before the packets are counted. */
export interface PlannedAttack {
  id: string;
  kind: 'syn_flood' | 'port_scan' | 'beaconing' | 'exfiltration';
  /** MITRE ATT&CK technique id. */
  technique: 'T1498' | 'T1046' | 'T1071' | 'T1048';
  attackers: string[] | 'spoofed';
  victims: string[];
  description: string;
}

/** Attack start times, seconds into the capture (the capture starts at 07:00 and spans 24 h in 48 min). */
export const ATTACK_SCHEDULE_SECONDS = {
  portScan: 1620, // 20:30
  beaconing: 1680, // 21:00 until about 06:00
  synFlood: 1860, // 22:30
  exfiltration: 2200, // 01:20, the quiet of the night
} as const;

const SCANNER = ipv4('10.10.1.37');
const BEACON_DEVICE = ipv4('10.30.0.107');
const EXFIL_SOURCE = ipv4('10.10.1.44');
const FLOOD_VICTIM = SERVERS.web1;

function attackSpec(index: number, src: number, dst: number, srcPort: number, dstPort: number, ttl: number) {
  const spec: ConversationSpec = {
    src,
    dst,
    srcPort,
    dstPort,
    proto: IPPROTO_TCP,
    app: App.Tls,
    ttlFwd: ttl,
    ttlRev: 63,
    label: 1,
    attack: index,
  };
  return spec;
}

/**
 * Plans the four attacks and returns their ground truth, in the order of `attack` indices.
 * Volumes of the flood, the scan and the exfiltration grow with `ctx.scale`; the beacon keeps
 * its period, since its signature is regularity, not volume.
 */
export function planAttacks(ctx: ModelContext, rng: Prng, liveHosts: ReadonlySet<number>): PlannedAttack[] {
  return [
    planPortScan(ctx, rng.fork(1), 0, liveHosts),
    planBeaconing(ctx, rng.fork(2), 1),
    planSynFlood(ctx, rng.fork(3), 2),
    planExfiltration(ctx, rng.fork(4), 3),
  ];
}

/** Ports a horizontal scan tries, most interesting first; larger scales try more of them. */
const SCAN_PORTS = [
  22, 445, 3389, 8080, 23, 80, 443, 21, 25, 3306, 5432, 5900, 6379, 9200, 1433, 139, 135, 8443,
];
/** Ports that answer with a SYN/ACK on live hosts of each segment. */
const OPEN_PORTS = new Set([22, 443, 8080, 5432, 9100, 445, 3389, 139, 135]);

function planPortScan(ctx: ModelContext, rng: Prng, index: number, live: ReadonlySet<number>): PlannedAttack {
  const portCount = Math.max(4, Math.round(4 * ctx.scale));
  const ports = Array.from({ length: portCount }, (_, i) => SCAN_PORTS[i] ?? 1000 + i);
  const targets: number[] = [];
  for (const net of ['10.20.0', '10.10.1']) {
    for (let h = 1; h < 255; h++) targets.push(ipv4(`${net}.${h}`));
  }
  const probes = ports.length * (targets.length - 1);
  const gapUs = 90e6 / probes;
  const srcPort = ephemeralPort(rng);
  let t = ATTACK_SCHEDULE_SECONDS.portScan * 1e6;
  for (const port of ports) {
    // Like nmap, each pass visits the hosts in a random order.
    const order = targets.filter((ip) => ip !== SCANNER);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const target of order) {
      const answer = !live.has(target) ? 'none' : OPEN_PORTS.has(port) && rng.chance(0.5) ? 'synack' : 'rst';
      const spec = attackSpec(index, SCANNER, target, srcPort, port, 127);
      ctx.emitter.tcpProbe(spec, t, answer, rng.uniform(150, 600));
      t += gapUs * rng.uniform(0.5, 1.5);
    }
  }
  return {
    id: 'attack-1-port-scan',
    kind: 'port_scan',
    technique: 'T1046',
    attackers: [ipv4Text(SCANNER)],
    victims: ['10.20.0.0/24', '10.10.1.0/24'],
    description: `Horizontal TCP SYN scan of two /24s on ${ports.length} ports (${probes} probes) from an office host`,
  };
}

function planBeaconing(ctx: ModelContext, rng: Prng, index: number): PlannedAttack {
  const periodUs = 30e6;
  const endUs = Math.min(ctx.durationUs - 60e6, 2760e6);
  let beacons = 0;
  for (let t = ATTACK_SCHEDULE_SECONDS.beaconing * 1e6; t < endUs; t += periodUs * rng.uniform(0.98, 1.02)) {
    const tasked = rng.chance(0.1);
    const spec = attackSpec(index, BEACON_DEVICE, C2_SERVER, ephemeralPort(rng), 443, 63);
    ctx.emitter.tcpSession(spec, t, {
      rttUs: rng.logNormal(70_000, 0.1),
      rateBps: 5e6,
      exchanges: [
        { request: 517, response: 2900, serverUs: 1500, thinkUs: 500 },
        {
          request: rng.int(170, 190),
          response: tasked ? rng.int(1500, 4000) : 96,
          serverUs: 3000,
          thinkUs: 300,
        },
      ],
      close: 'client-fin',
    });
    beacons += 1;
  }
  return {
    id: 'attack-2-beaconing',
    kind: 'beaconing',
    technique: 'T1071',
    attackers: [ipv4Text(BEACON_DEVICE)],
    victims: [ipv4Text(C2_SERVER)],
    description: `Implant on an IoT device calling its C2 over HTTPS every 30 s (±2 %), ${beacons} check-ins`,
  };
}

function planSynFlood(ctx: ModelContext, rng: Prng, index: number): PlannedAttack {
  const durationUs = 40e6;
  const peakPerSecond = 60 * ctx.scale;
  const startUs = ATTACK_SCHEDULE_SECONDS.synFlood * 1e6;
  for (let t = 0; t < durationUs; t += rng.exponential(1e6 / peakPerSecond)) {
    // Two-second ramp as the botnet's members join.
    if (t < 2e6 && rng.next() > t / 2e6) continue;
    const spec = attackSpec(
      index,
      randomPublicIpv4(rng),
      FLOOD_VICTIM,
      ephemeralPort(rng),
      443,
      rng.int(40, 250),
    );
    spec.bareSynWindow = rng.pick([512, 1024, 8192, 65535]);
    // The victim's backlog is full most of the time: about half of the SYNs get a SYN/ACK.
    ctx.emitter.tcpProbe(spec, startUs + t, rng.chance(0.5) ? 'synack-only' : 'none', rng.uniform(100, 400));
  }
  return {
    id: 'attack-3-syn-flood',
    kind: 'syn_flood',
    technique: 'T1498',
    attackers: 'spoofed',
    victims: [`${ipv4Text(FLOOD_VICTIM)}:443`],
    description: `SYN flood from spoofed random sources at about ${peakPerSecond} SYN/s for 40 s`,
  };
}

function planExfiltration(ctx: ModelContext, rng: Prng, index: number): PlannedAttack {
  const totalBytes = 2000 * 1460 * ctx.scale;
  const connections = 3;
  const durationUs = 120e6;
  let t = ATTACK_SCHEDULE_SECONDS.exfiltration * 1e6;
  for (let c = 0; c < connections; c++) {
    const spec = attackSpec(index, EXFIL_SOURCE, EXFIL_HOST, ephemeralPort(rng), 443, 127);
    const bytes = Math.round(totalBytes / connections);
    t = ctx.emitter.tcpSession(spec, t, {
      rttUs: rng.logNormal(60_000, 0.1),
      rateBps: (bytes * 8 * 1e6) / (durationUs / connections),
      exchanges: [
        { request: 517, response: 3400, serverUs: 1500, thinkUs: 400 },
        { request: bytes, response: 120, serverUs: 2000, thinkUs: 0 },
      ],
      close: 'client-fin',
    });
    t += rng.uniform(2e6, 6e6);
  }
  return {
    id: 'attack-4-exfiltration',
    kind: 'exfiltration',
    technique: 'T1048',
    attackers: [ipv4Text(EXFIL_SOURCE)],
    victims: [ipv4Text(EXFIL_HOST)],
    description: `Office host uploading ${(totalBytes / 1e6).toFixed(1)} MB over HTTPS to an unknown host at night`,
  };
}
