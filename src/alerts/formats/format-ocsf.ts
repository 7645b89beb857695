import type { Alert, AlertThreat } from '../alert.js';
import { severityMapping } from '../severity.js';
import { alertFacts } from './alert-facts.js';

/**
 * OCSF schema version the findings follow. 1.3.0 has everything used here (evidences,
 * `sub_technique`, analytic type 4); `anomaly_analyses` would need 1.5.0 and `is_alert` 1.4.0,
 * so neither is emitted and tapwatch's own evidence goes to `unmapped` instead.
 */
export const OCSF_VERSION = '1.3.0';

/** Options of `formatOcsf`. */
export interface OcsfOptions {
  /** `metadata.product.version`; defaults to `observer.version`. */
  productVersion?: string;
}

const SEVERITY_CAPTIONS = ['Informational', 'Low', 'Medium', 'High', 'Critical', 'Fatal'];
// network_connection_info.direction_id: 0 Unknown, 1 Inbound, 2 Outbound, 3 Lateral.
const DIRECTIONS: Record<string, [number, string]> = {
  inbound: [1, 'Inbound'],
  outbound: [2, 'Outbound'],
  internal: [3, 'Lateral'],
};
const ANALYTIC_LEARNING = 4;
const OBSERVABLE_IP_ADDRESS = 2;

/**
 * One alert as an OCSF Detection Finding (class 2004, activity Create, type 200401) for AWS
 * Security Lake, Splunk and other OCSF consumers. `time` is the event time, like the ECS
 * `@timestamp`, so the document is a pure function of the alert; `start_time`/`end_time` span
 * the flow. The finding's uid is the deterministic alert id and `metadata.correlation_uid` the
 * dedup key, so repeats of one finding can be grouped downstream.
 */
export function formatOcsf(alert: Alert, options: OcsfOptions = {}): Record<string, unknown> {
  const severity = severityMapping(alert.event.severity);
  const timeMs = alertFacts.timeMs(alert);
  const startMs = Date.parse(alert.event.start);
  const confidence = confidenceScore(alert.tapwatch.p_value);
  return prune({
    class_uid: 2004,
    class_name: 'Detection Finding',
    category_uid: 2,
    category_name: 'Findings',
    activity_id: 1,
    activity_name: 'Create',
    type_uid: 200401,
    type_name: 'Detection Finding: Create',
    time: timeMs,
    start_time: startMs,
    end_time: timeMs,
    severity_id: severity.ocsfSeverityId,
    severity: SEVERITY_CAPTIONS[severity.ocsfSeverityId - 1],
    status_id: 1,
    status: 'New',
    message: alert.event.reason,
    risk_score: severity.riskScore,
    confidence_score: confidence,
    // confidence_id: 1 Low, 2 Medium, 3 High.
    confidence_id: confidence >= 90 ? 3 : confidence >= 50 ? 2 : 1,
    metadata: {
      version: OCSF_VERSION,
      uid: alert.event.id,
      correlation_uid: alert.tapwatch.dedup_key,
      product: {
        name: 'tapwatch',
        vendor_name: 'tapwatch',
        version: options.productVersion ?? alert.observer.version,
      },
      labels: [`segment:${alert.labels.segment}`],
    },
    finding_info: {
      uid: alert.event.id,
      title: alert.rule.name,
      desc: alert.rule.description,
      types: [alert.rule.category],
      first_seen_time: startMs,
      last_seen_time: timeMs,
      analytic: {
        type_id: ANALYTIC_LEARNING,
        type: 'Learning (ML/DL)',
        name: alert.rule.name,
        uid: alert.rule.id,
        version: alert.rule.version,
        category: alert.rule.category,
        desc: alert.rule.description,
      },
      attacks: alert.threat === undefined ? undefined : [attackOf(alert.threat)],
    },
    evidences: [evidenceOf(alert)],
    observables: [
      {
        name: 'evidences.src_endpoint.ip',
        type_id: OBSERVABLE_IP_ADDRESS,
        type: 'IP Address',
        value: alert.source.ip,
      },
      {
        name: 'evidences.dst_endpoint.ip',
        type_id: OBSERVABLE_IP_ADDRESS,
        type: 'IP Address',
        value: alert.destination.ip,
      },
    ],
    unmapped: {
      segment: alert.labels.segment,
      // Byte and packet counts seen from the initiator, as OCSF's network_traffic object counts them.
      traffic: {
        bytes_out: alert.source.bytes,
        packets_out: alert.source.packets,
        bytes_in: alert.destination.bytes,
        packets_in: alert.destination.packets,
      },
      observer_hostname: alert.observer.hostname,
      tapwatch: alert.tapwatch,
    },
  }) as Record<string, unknown>;
}

function evidenceOf(alert: Alert): Record<string, unknown> {
  const { source, destination, network } = alert;
  const direction = network.direction === undefined ? undefined : DIRECTIONS[network.direction];
  return {
    src_endpoint: { ip: source.ip, port: source.port, zone: alert.labels.segment },
    dst_endpoint: { ip: destination.ip, port: destination.port },
    connection_info: {
      protocol_num: Number(network.iana_number),
      protocol_name: network.transport,
      protocol_ver_id: alertFacts.isIpv6(source.ip) ? 6 : 4,
      direction_id: direction?.[0] ?? 0,
      direction: direction?.[1] ?? 'Unknown',
      community_uid: network.community_id,
    },
  };
}

function attackOf(threat: AlertThreat): Record<string, unknown> {
  const { technique, tactic } = threat;
  return {
    technique: { uid: technique.id, name: technique.name, src_url: technique.reference },
    sub_technique:
      technique.subtechnique === undefined
        ? undefined
        : { uid: technique.subtechnique.id, name: technique.subtechnique.name },
    tactic:
      tactic === undefined ? undefined : { uid: tactic.id, name: tactic.name, src_url: tactic.reference },
  };
}

/**
 * 0–100 from the ensemble's calibrated p-value: the share of benign traffic the flow is more
 * extreme than. p = 1e-6 gives 100; p = 0.2 gives 80.
 */
function confidenceScore(pValue: number): number {
  if (!Number.isFinite(pValue)) return 0;
  return Math.round(100 * Math.min(1, Math.max(0, 1 - pValue)));
}

/** Drop undefined members so consumers never see null placeholders. */
function prune(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(prune).filter((v) => v !== undefined);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const pruned = prune(inner);
    if (pruned !== undefined) out[key] = pruned;
  }
  return out;
}
