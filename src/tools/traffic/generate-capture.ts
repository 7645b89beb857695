import { writeFileSync } from 'node:fs';
import { planAttacks } from './attack-models.js';
import { ConversationEmitter } from './conversation-emitter.js';
import { planIot } from './iot-model.js';
import { drawExternalPeers, type ModelContext } from './model-context.js';
import { GATEWAYS, ipv4Text, siteLayout } from './network-layout.js';
import { planOffice } from './office-model.js';
import { PacketPlan } from './packet-plan.js';
import { Prng } from './prng.js';
import { renderCapture } from './render-capture.js';
import { planServers } from './servers-model.js';

/** Options of {@link generateCapture}. */
export interface GenerateOptions {
  /** Capture path; `<out>.labels.csv` and `<out>.attacks.json` are written beside it. */
  out: string;
  seed: number;
  /** Approximate packet count; absent means the default sample (scale 1). */
  packets?: number;
  /** Bytes kept of each frame (default 80: headers and the start of each payload). */
  snapLength?: number;
  /** Tag frames with per-segment 802.1Q VLAN ids (default false). */
  vlanTags?: boolean;
}

/** One attack of the ground truth, as written to `<out>.attacks.json`. */
export interface AttackTruth {
  id: string;
  kind: 'syn_flood' | 'port_scan' | 'beaconing' | 'exfiltration';
  technique: string;
  startMs: number;
  endMs: number;
  attackers: string[] | 'spoofed';
  victims: string[];
  packets: number;
  description: string;
}

/** What a run wrote, as written to `<out>.attacks.json`. */
export interface CaptureSummary {
  seed: number;
  scale: number;
  captureStartMs: number;
  captureEndMs: number;
  packets: number;
  attackPackets: number;
  fileBytes: number;
  snapLength: number;
  /** Segments with their CIDRs and benign conversations counted by internal initiator (else responder). */
  segments: {
    name: string;
    cidrs: string[];
    hosts: number;
    benignFlows: number;
    benignFlowsBeforeAttacks: number;
  }[];
  attacks: AttackTruth[];
}

/** 2024-03-12 07:00 UTC: the compressed day runs from 07:00 to 07:00 the next morning. */
export const CAPTURE_START_MS = Date.UTC(2024, 2, 12, 7, 0, 0);
/** 48 minutes of capture time stand for 24 hours. */
export const CAPTURE_DURATION_US = 48 * 60 * 1e6;

/**
 * Generates the seeded sample capture, its per-packet labels and its ground truth. With
 * `packets`, the scale is first measured on a scale-1 plan, then applied; the result lands
 * within a few percent of the request.
 */
export function generateCapture(options: GenerateOptions): CaptureSummary {
  let scale = 1;
  if (options.packets !== undefined) {
    const baseline = planTraffic(options.seed, 1).plan.countBefore(CAPTURE_DURATION_US);
    scale = options.packets / baseline;
  }
  const { plan, attacks } = planTraffic(options.seed, scale);
  const snapLength = options.snapLength ?? 80;
  const rendered = renderCapture(plan, attacks.length, {
    path: options.out,
    captureStartMs: CAPTURE_START_MS,
    durationUs: CAPTURE_DURATION_US,
    snapLength,
    vlanTags: options.vlanTags ?? false,
  });
  const truth: AttackTruth[] = attacks.map((a, i) => ({
    id: a.id,
    kind: a.kind,
    technique: a.technique,
    startMs: CAPTURE_START_MS + rendered.attacks[i].firstUs / 1000,
    endMs: CAPTURE_START_MS + rendered.attacks[i].lastUs / 1000,
    attackers: a.attackers,
    victims: a.victims,
    packets: rendered.attacks[i].packets,
    description: a.description,
  }));
  const firstAttackUs = Math.min(...rendered.attacks.map((a) => a.firstUs));
  const summary: CaptureSummary = {
    seed: options.seed,
    scale: Number(scale.toFixed(6)),
    captureStartMs: CAPTURE_START_MS,
    captureEndMs: CAPTURE_START_MS + CAPTURE_DURATION_US / 1000,
    packets: rendered.packets,
    attackPackets: truth.reduce((sum, a) => sum + a.packets, 0),
    fileBytes: rendered.fileBytes,
    snapLength,
    segments: countFlows(plan, rendered.conversationStartUs, firstAttackUs),
    attacks: truth,
  };
  writeFileSync(`${options.out}.attacks.json`, `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

/** Plans all benign traffic and the attacks at `scale`; every model draws from its own fork of the seed. */
function planTraffic(seed: number, scale: number) {
  const rng = new Prng(seed);
  const plan = new PacketPlan();
  const [office, servers, iot] = siteLayout();
  const ctx: ModelContext = {
    plan,
    emitter: new ConversationEmitter(plan, rng.fork(1)),
    durationUs: CAPTURE_DURATION_US,
    scale,
    externals: drawExternalPeers(rng.fork(2)),
  };
  planOffice(ctx, rng.fork(3), office.hosts);
  planServers(ctx, rng.fork(4), iot.hosts);
  planIot(ctx, rng.fork(5), iot.hosts);
  const live = new Set([...office.hosts, ...servers.hosts, ...iot.hosts, ...GATEWAYS]);
  const attacks = planAttacks(ctx, rng.fork(6), live);
  return { plan, attacks };
}

function countFlows(
  plan: PacketPlan,
  startUs: Float64Array,
  firstAttackUs: number,
): CaptureSummary['segments'] {
  const layout = siteLayout();
  const rows = layout.map((s) => ({
    name: s.name,
    cidrs: [s.cidr],
    hosts: s.hosts.length,
    benignFlows: 0,
    benignFlowsBeforeAttacks: 0,
  }));
  const segmentOf = (ip: number): number =>
    layout.findIndex((s) => ipv4Text(ip).startsWith(s.cidr.slice(0, -4)));
  plan.conversations.forEach((conv, c) => {
    if (conv.label !== 0 || Number.isNaN(startUs[c])) return;
    const own = segmentOf(conv.src);
    const segment = own >= 0 ? own : segmentOf(conv.dst);
    if (segment < 0) return;
    rows[segment].benignFlows += 1;
    if (startUs[c] < firstAttackUs) rows[segment].benignFlowsBeforeAttacks += 1;
  });
  return rows;
}
