import type { FeatureContribution } from '../core/detection.js';
import type { RuleId } from './rules.js';

/**
 * Which explanation features support which rule. Names follow `src/features/feature-names.ts`
 * (`seg_syn_only_ratio`, `src_fanout_dst_hosts`, `pair_iat_std_l0.1`, ...) but are matched by
 * loose pattern on the lower-cased name, so Kitsune-style names (`HH_jit_L0.1_std`) or a
 * renamed column still match. A feature counts only when it deviates from its baseline in the
 * direction the rule expects. Adapting to new feature names means editing this table only.
 *
 * Flow-level outcome flags (`tcp_syn_only`, `no_reply`) are deliberately absent from the flood
 * row: scan probes carry them too, and the structural checks already count them.
 */
export interface FeatureSignal {
  rules: readonly RuleId[];
  pattern: RegExp;
  /** `high`: the flow's value is above the segment baseline; `low`: below it. */
  direction: 'high' | 'low';
}

/** The matching table, most specific signals first. */
export const FEATURE_SIGNALS: readonly FeatureSignal[] = [
  { rules: ['syn-flood'], pattern: /seg_syn_only|syn_ratio|half_?open/, direction: 'high' },
  {
    rules: ['syn-flood', 'volumetric-flood'],
    pattern: /fan_?in|distinct_src|seg_(flows|pkts|packets|bytes)|flow_rate|pkt_rate/,
    direction: 'high',
  },
  {
    rules: ['host-scan'],
    pattern: /fan_?out_dst_hosts|distinct_dst_hosts|dst_host_count/,
    direction: 'high',
  },
  {
    rules: ['port-scan'],
    pattern: /fan_?out_dst_ports|distinct_dst_ports|dst_port_count|port_entropy/,
    direction: 'high',
  },
  { rules: ['host-scan', 'port-scan'], pattern: /failed|no_?reply|tcp_rst|rst_ratio|rej/, direction: 'high' },
  // A pair seen once or twice has zero inter-arrival variance by construction; `deviates`
  // ignores a zero for `low` signals so new pairs are not mistaken for beacons.
  { rules: ['beaconing'], pattern: /(iat|jit|interval|period).*(std|var|cv|mad)/, direction: 'low' },
  { rules: ['beaconing'], pattern: /^pair_w_|^hh_.*weight/, direction: 'high' },
  {
    rules: ['large-outbound'],
    pattern: /bytes_(fwd|out|sent|tx)$|(out|tx|up)_?bytes|upload|out_in_ratio/,
    direction: 'high',
  },
];

/** Most evidence the features alone can give one rule; the flow and windows must add the rest. */
const MAX_FEATURE_POINTS = 0.6;

/** Evidence one rule collected from the top features. */
export interface FeatureEvidence {
  points: number;
  facts: string[];
}

/**
 * Evidence from the top features for each rule: every matching feature adds 0.2 plus its
 * share of the anomaly, capped at 0.6 per rule.
 */
export function matchFeatureSignals(
  features: readonly FeatureContribution[],
  signals: readonly FeatureSignal[] = FEATURE_SIGNALS,
): Map<RuleId, FeatureEvidence> {
  const byRule = new Map<RuleId, FeatureEvidence>();
  for (const feature of features) {
    const name = feature.name.toLowerCase();
    for (const signal of signals) {
      if (!signal.pattern.test(name) || !deviates(feature, signal.direction)) continue;
      for (const rule of signal.rules) {
        const entry = byRule.get(rule) ?? { points: 0, facts: [] };
        entry.points = Math.min(MAX_FEATURE_POINTS, entry.points + 0.2 + clampShare(feature.share));
        entry.facts.push(`${feature.name}=${round(feature.value)} (baseline ${round(feature.baseline)})`);
        byRule.set(rule, entry);
      }
    }
  }
  return byRule;
}

function deviates(feature: FeatureContribution, direction: 'high' | 'low'): boolean {
  if (!Number.isFinite(feature.value) || !Number.isFinite(feature.baseline)) return false;
  if (direction === 'high') return feature.value > feature.baseline;
  return feature.value > 0 && feature.value < feature.baseline;
}

function clampShare(share: number): number {
  return Number.isFinite(share) ? Math.min(1, Math.max(0, share)) : 0;
}

function round(value: number): number {
  return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 1000) / 1000;
}
