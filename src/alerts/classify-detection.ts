import type { Detection, SegmentWindowStats } from '../core/detection.js';
import { IPPROTO_TCP, type RoutedFlow, TCP_ACK, TCP_RST, TCP_SYN } from '../core/flow-record.js';
import { matchFeatureSignals } from './feature-signals.js';
import { ALERT_RULES, type AlertRuleDefinition, type RuleId } from './rules.js';
import { type Severity, scoreSeverity } from './severity.js';

/** Limits behind the structural checks; small on purpose so they are easy to review and tune. */
export const CLASSIFY_LIMITS = Object.freeze({
  /** Flows per second in the shortest window above which a concentrated burst looks like a flood. */
  floodFlowsPerSecond: 100,
  /** Sources per destination host above which traffic converges like a distributed flood. */
  floodFanIn: 10,
  synOnlyRatio: 0.5,
  /** Distinct ports (or hosts) in the window before a fan-out looks like a scan. */
  scanMinDistinct: 20,
  failedRatio: 0.3,
  /** Flow packets in the initiator direction a probe has at most. */
  probeMaxPackets: 3,
  beaconMaxBytes: 10_000,
  outboundMinBytes: 10_000_000,
  outboundMinAsymmetry: 10,
  /** Evidence (0..~1.6) a rule needs to win over the generic rule. */
  minEvidence: 0.5,
});

/** The rule a detection falls under, its severity and why. */
export interface Classification {
  ruleId: RuleId;
  rule: AlertRuleDefinition;
  severity: Severity;
  /** Short facts behind the choice, e.g. `syn_only_ratio=0.97`. */
  facts: string[];
}

/** Optional knowledge about the network that sharpens classification. */
export interface ClassifyOptions {
  /** True for addresses inside the monitored networks; lets exfiltration require an outside destination. */
  isInternal?: (ip: string) => boolean;
}

interface Evidence {
  points: number;
  facts: string[];
}

type Check = (flow: RoutedFlow, window: SegmentWindowStats | undefined, options: ClassifyOptions) => Evidence;

/**
 * Decide which rule an above-threshold detection falls under, from the flow's own shape, the
 * segment's shortest window and the explanation features. The rule with the most evidence
 * wins (table order breaks ties); with too little evidence it is the generic anomaly rule.
 */
export function classifyDetection(detection: Detection, options: ClassifyOptions = {}): Classification {
  const window = detection.windows[0];
  const byFeature = matchFeatureSignals(detection.topFeatures);
  let best: { ruleId: RuleId; points: number; facts: string[] } | undefined;
  for (const [ruleId, check] of CHECKS) {
    const structural = check(detection.flow, window, options);
    const features = byFeature.get(ruleId);
    const points = structural.points + (features?.points ?? 0);
    if (points >= CLASSIFY_LIMITS.minEvidence && (best === undefined || points > best.points)) {
      best = { ruleId, points, facts: [...structural.facts, ...(features?.facts ?? [])] };
    }
  }
  const ruleId = best?.ruleId ?? 'anomalous-flow';
  const rule = ALERT_RULES[ruleId];
  return {
    ruleId,
    rule,
    severity: scoreSeverity(rule.baseSeverity, detection.score, detection.threshold),
    facts: best?.facts ?? [],
  };
}

const CHECKS: ReadonlyArray<readonly [RuleId, Check]> = [
  ['syn-flood', synFlood],
  ['volumetric-flood', volumetricFlood],
  ['port-scan', (flow, window) => scan(flow, window, 'ports')],
  ['host-scan', (flow, window) => scan(flow, window, 'hosts')],
  ['beaconing', beaconing],
  ['large-outbound', largeOutbound],
];

function synFlood(flow: RoutedFlow, window: SegmentWindowStats | undefined): Evidence {
  const ev = evidence();
  if (isSynOnlyProbe(flow)) add(ev, 0.25, 'flow=syn_only');
  if (window === undefined) return ev;
  if (window.synOnlyRatio >= CLASSIFY_LIMITS.synOnlyRatio)
    add(ev, 0.25, `syn_only_ratio=${fixed(window.synOnlyRatio)}`);
  addConvergence(ev, window);
  return ev;
}

function volumetricFlood(flow: RoutedFlow, window: SegmentWindowStats | undefined): Evidence {
  const ev = evidence();
  if (flow.pktsRev === 0 && flow.pktsFwd <= CLASSIFY_LIMITS.probeMaxPackets) add(ev, 0.15, 'flow=one_way');
  if (window !== undefined) addConvergence(ev, window);
  return ev;
}

/** Many flows per second toward few destinations on few ports, and (for distributed floods) many sources. */
function addConvergence(ev: Evidence, window: SegmentWindowStats): void {
  const rate = window.flows / Math.max(window.windowSeconds, 1e-3);
  const concentrated =
    window.distinctDstHosts <= Math.max(3, 0.05 * window.flows) &&
    window.distinctDstPorts <= Math.max(3, 0.1 * window.flows);
  if (rate >= CLASSIFY_LIMITS.floodFlowsPerSecond && concentrated)
    add(ev, 0.3, `flows_per_second=${Math.round(rate)}`);
  const fanIn = window.distinctSrcHosts / Math.max(1, window.distinctDstHosts);
  if (fanIn >= CLASSIFY_LIMITS.floodFanIn) add(ev, 0.2, `src_hosts=${Math.round(window.distinctSrcHosts)}`);
}

function scan(flow: RoutedFlow, window: SegmentWindowStats | undefined, spread: 'ports' | 'hosts'): Evidence {
  const ev = evidence();
  if (isProbe(flow)) add(ev, 0.2, 'flow=probe');
  if (window === undefined) return ev;
  const distinct = spread === 'ports' ? window.distinctDstPorts : window.distinctDstHosts;
  const other = spread === 'ports' ? window.distinctDstHosts : window.distinctDstPorts;
  if (distinct >= CLASSIFY_LIMITS.scanMinDistinct && distinct >= 0.3 * window.flows && distinct > other) {
    add(ev, 0.35, `distinct_dst_${spread}=${Math.round(distinct)}`);
  }
  if (window.distinctSrcHosts <= 5 || window.distinctSrcHosts * 5 <= distinct) add(ev, 0.15, 'few_sources');
  if (window.failedRatio >= CLASSIFY_LIMITS.failedRatio)
    add(ev, 0.2, `failed_ratio=${fixed(window.failedRatio)}`);
  return ev;
}

function beaconing(flow: RoutedFlow): Evidence {
  const ev = evidence();
  // Structure alone cannot show periodicity; it only says the flow is a small, answered exchange.
  // The low-jitter feature has to supply the rest of the evidence.
  if (flow.bytesFwd + flow.bytesRev <= CLASSIFY_LIMITS.beaconMaxBytes && flow.pktsRev > 0)
    add(ev, 0.2, 'flow=small_exchange');
  return ev;
}

function largeOutbound(
  flow: RoutedFlow,
  _window: SegmentWindowStats | undefined,
  options: ClassifyOptions,
): Evidence {
  const ev = evidence();
  if (flow.bytesFwd >= CLASSIFY_LIMITS.outboundMinBytes) add(ev, 0.3, `bytes_out=${flow.bytesFwd}`);
  if (flow.bytesFwd >= CLASSIFY_LIMITS.outboundMinAsymmetry * Math.max(1, flow.bytesRev))
    add(ev, 0.25, 'one_sided');
  if (options.isInternal !== undefined) {
    // Internal-to-internal bulk copies are backups and file shares, not exfiltration.
    if (options.isInternal(flow.srcIp) && !options.isInternal(flow.dstIp)) add(ev, 0.2, 'direction=outbound');
    else ev.points = 0;
  }
  return ev;
}

function isSynOnlyProbe(flow: RoutedFlow): boolean {
  if (flow.proto !== IPPROTO_TCP) return false;
  const flags = flow.tcpFlagsFwd ?? flow.tcpFlags;
  return (
    (flags & TCP_SYN) !== 0 && (flags & TCP_ACK) === 0 && flow.pktsFwd <= CLASSIFY_LIMITS.probeMaxPackets
  );
}

function isProbe(flow: RoutedFlow): boolean {
  if (flow.pktsFwd > CLASSIFY_LIMITS.probeMaxPackets) return false;
  return flow.pktsRev === 0 || (flow.tcpFlags & TCP_RST) !== 0;
}

function evidence(): Evidence {
  return { points: 0, facts: [] };
}

function add(ev: Evidence, points: number, fact: string): void {
  ev.points += points;
  ev.facts.push(fact);
}

function fixed(value: number): string {
  return value.toFixed(2);
}
