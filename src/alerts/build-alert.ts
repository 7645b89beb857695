import { communityId } from '../core/community-id.js';
import type { Detection, SegmentWindowStats } from '../core/detection.js';
import { type FlowRecord, transportName } from '../core/flow-record.js';
import type { Alert, AlertThreat, TapwatchWindowSnapshot } from './alert.js';
import { alertId, dedupKey } from './alert-id.js';
import type { DedupTrackBy } from './alert-policy.js';
import type { Classification } from './classify-detection.js';
import { explainDetection } from './explain-detection.js';
import { type AttackTechnique, attackReference } from './rules.js';
import { severityMapping } from './severity.js';

/** ECS version the alert documents follow. */
export const ECS_VERSION = '8.11.0';

/** What the alert needs besides the detection; all optional. */
export interface BuildAlertOptions {
  /** tapwatch's version, for `observer.version`. */
  observerVersion?: string;
  /** Host tapwatch runs on, for `observer.hostname`. */
  observerHostname?: string;
  /** Detections this alert stands for (1 + duplicates suppressed before it). Default 1. */
  occurrences?: number;
  /** True for monitored (internal) addresses; when given, `network.direction` is filled. */
  isInternal?: (ip: string) => boolean;
  /** Community ID seed for flows assembled from captures, which leave the ID to this stage (default 0). */
  communityIdSeed?: number;
  /** Which hosts the dedup key holds (see `alerts.dedupTrackBy`); default `rule`. */
  dedupTrackBy?: DedupTrackBy;
  /** Alerts of the segment the rate limit held back before this one; shown when above 0. */
  rateLimited?: number;
}

/**
 * Turn a classified detection into an ECS alert document. Pure: the same detection and
 * classification always give the same document (the id included), because every time in it
 * is event time.
 */
export function buildAlert(
  detection: Detection,
  classification: Classification,
  options: BuildAlertOptions = {},
): Alert {
  const { flow } = detection;
  const { rule } = classification;
  const severity = severityMapping(classification.severity);
  const occurrences = Math.max(1, Math.floor(options.occurrences ?? 1));
  const transport = transportName(flow.proto);
  const explanation = explainDetection(detection, classification);
  const rateLimited = Math.max(0, Math.floor(options.rateLimited ?? 0));
  const alert: Alert = {
    '@timestamp': isoTime(flow.end),
    ecs: { version: ECS_VERSION },
    event: {
      kind: 'alert',
      category: ['network', 'intrusion_detection'],
      type: ['info'],
      severity: severity.ecsSeverity,
      risk_score: severity.riskScore,
      risk_score_norm: severity.riskScore,
      id: alertId(flow, rule),
      start: isoTime(flow.start),
      end: isoTime(flow.end),
      duration: finite(Math.round((flow.end - flow.start) * 1e6)),
      reason: explanation,
      dataset: 'tapwatch.alert',
      module: 'tapwatch',
    },
    rule: {
      id: rule.id,
      name: rule.name,
      category: rule.category,
      ruleset: 'tapwatch',
      version: rule.version,
      description: rule.description,
    },
    source: { ip: flow.srcIp, port: flow.srcPort, bytes: flow.bytesFwd, packets: flow.pktsFwd },
    destination: { ip: flow.dstIp, port: flow.dstPort, bytes: flow.bytesRev, packets: flow.pktsRev },
    network: {
      transport,
      iana_number: String(flow.proto),
      community_id: flow.communityId ?? captureCommunityId(flow, options.communityIdSeed),
      direction:
        options.isInternal === undefined ? undefined : direction(flow.srcIp, flow.dstIp, options.isInternal),
      bytes: flow.bytesFwd + flow.bytesRev,
      packets: flow.pktsFwd + flow.pktsRev,
      vlan: flow.vlan === undefined ? undefined : { id: String(flow.vlan) },
    },
    observer: {
      type: 'ids',
      product: 'tapwatch',
      vendor: 'tapwatch',
      version: options.observerVersion,
      hostname: options.observerHostname,
      ingress: { zone: flow.segment },
    },
    labels: { segment: flow.segment },
    threat: rule.technique === undefined ? undefined : threatOf(rule.technique),
    tapwatch: {
      score: detection.score,
      threshold: detection.threshold,
      p_value: detection.pValue,
      model_state: detection.modelState,
      detectors: Object.fromEntries(
        detection.detectors.map((d) => [d.detector, { p_value: d.pValue, weight: d.weight }]),
      ),
      top_features: detection.topFeatures.map((f) => ({
        name: f.name,
        value: f.value,
        baseline: f.baseline,
        share: f.share,
      })),
      windows: detection.windows.map(windowSnapshot),
      evidence: classification.facts,
      explanation,
      dedup_key: dedupKey(flow, rule, options.dedupTrackBy),
      occurrences,
      suppressed: occurrences - 1,
      rate_limited: rateLimited > 0 ? rateLimited : undefined,
      input: {
        format: flow.source.format,
        origin: flow.source.origin,
        first_packet: flow.source.firstPacket,
        last_packet: flow.source.lastPacket,
        partition: flow.source.partition,
        offset: flow.source.offset,
      },
    },
  };
  return pruneEmpty(alert);
}

/**
 * Capture flows carry no Community ID: hashing every exported flow cost the ingest hot path about
 * 15% on floods, and only the few flows that become alerts need it. Records from other sources
 * carry whatever their producer computed, so an absent ID there stays absent.
 */
function captureCommunityId(flow: FlowRecord, seed = 0): string | undefined {
  const format = flow.source.format;
  return format === 'pcap' || format === 'pcapng' ? communityId(flow, seed) : undefined;
}

function threatOf(technique: AttackTechnique): AlertThreat {
  return {
    framework: 'MITRE ATT&CK',
    technique: {
      id: technique.id,
      name: technique.name,
      reference: attackReference(technique.id),
      subtechnique: technique.subtechnique,
    },
    tactic: { ...technique.tactic, reference: attackReference(technique.tactic.id) },
  };
}

function windowSnapshot(w: SegmentWindowStats): TapwatchWindowSnapshot {
  return {
    window_seconds: w.windowSeconds,
    end: isoTime(w.endMs),
    flows: w.flows,
    bytes: w.bytes,
    packets: w.packets,
    distinct_dst_hosts: w.distinctDstHosts,
    distinct_dst_ports: w.distinctDstPorts,
    distinct_src_hosts: w.distinctSrcHosts,
    syn_only_ratio: w.synOnlyRatio,
    failed_ratio: w.failedRatio,
    dst_port_entropy: w.dstPortEntropy,
  };
}

/** ECS `network.direction` seen from the monitored networks, initiator → responder. */
function direction(src: string, dst: string, isInternal: (ip: string) => boolean): string {
  const fromInside = isInternal(src);
  const toInside = isInternal(dst);
  if (fromInside) return toInside ? 'internal' : 'outbound';
  return toInside ? 'inbound' : 'external';
}

/** ISO 8601 of an epoch-ms event time; a non-finite time (a decoder bug) maps to the epoch rather than throwing. */
function isoTime(ms: number): string {
  return new Date(Number.isFinite(ms) ? ms : 0).toISOString();
}

function finite(value: number): number | undefined {
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Drop undefined values and non-finite numbers (JSON would turn them into null), so a SIEM
 * never receives null placeholders.
 */
function pruneEmpty<T>(value: T): T {
  return prune(value) as T;
}

function prune(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (Array.isArray(value)) return value.map(prune).filter((v) => v !== undefined);
  if (value === null || typeof value !== 'object') return value ?? undefined;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const pruned = prune(inner);
    if (pruned !== undefined) out[key] = pruned;
  }
  return out;
}
