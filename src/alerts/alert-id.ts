import { createHash } from 'node:crypto';
import type { RoutedFlow } from '../core/flow-record.js';
import type { DedupTrackBy } from './alert-policy.js';
import type { AlertRuleDefinition } from './rules.js';

/**
 * Deterministic alert id: SHA-256 over the segment, the rule and the input position, truncated
 * to 128 bits and base64url-encoded (22 characters). A redelivered Kafka message or a re-read
 * capture yields the same id, so a SIEM can drop the duplicate.
 *
 * The flow's own identity (5-tuple and event times) is hashed too, because one input position
 * can carry several flows (a pmacct message with many JSON lines; packets shared by flows in a
 * capture); those must not collapse into one id.
 */
export function alertId(flow: RoutedFlow, rule: Pick<AlertRuleDefinition, 'id'>): string {
  const parts = [
    'v1',
    flow.segment,
    rule.id,
    flow.source.format,
    flow.source.origin,
    inputPosition(flow),
    flow.srcIp,
    String(flow.srcPort),
    flow.dstIp,
    String(flow.dstPort),
    String(flow.proto),
    String(flow.start),
    String(flow.end),
  ];
  // NUL cannot occur in any part, so the joined text is unambiguous.
  return createHash('sha256').update(parts.join('\0')).digest().subarray(0, 16).toString('base64url');
}

/** `p:<first>-<last>` for capture packets, `k:<partition>:<offset>` for Kafka, empty when unknown. */
export function inputPosition(flow: RoutedFlow): string {
  const { firstPacket, lastPacket, partition, offset } = flow.source;
  if (firstPacket !== undefined || lastPacket !== undefined)
    return `p:${firstPacket ?? ''}-${lastPacket ?? ''}`;
  if (partition !== undefined || offset !== undefined) return `k:${partition ?? ''}:${offset ?? ''}`;
  return '';
}

/**
 * The key repeats are folded under: segment, rule and the host(s) `trackBy` selects, the way
 * Suricata's `track by_src|by_dst|by_both` does. The default, `rule`, takes the host the rule is
 * about — the destination for floods (many sources, one victim), the source for scans, beacons
 * and transfers (one actor). `src` and `dst` give the same key as `rule` when the rule's focus is
 * that side, so switching between them keeps the table's history for those rules.
 */
export function dedupKey(
  flow: RoutedFlow,
  rule: Pick<AlertRuleDefinition, 'id' | 'focus'>,
  trackBy: DedupTrackBy = 'rule',
): string {
  if (trackBy === 'both') return `${flow.segment}|${rule.id}|${flow.srcIp}>${flow.dstIp}`;
  const side = trackBy === 'rule' ? (rule.focus === 'destination' ? 'dst' : 'src') : trackBy;
  return `${flow.segment}|${rule.id}|${side === 'dst' ? flow.dstIp : flow.srcIp}`;
}
