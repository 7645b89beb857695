import { createHash } from 'node:crypto';
import type { Alert } from '../alert.js';
import { severityMapping } from '../severity.js';
import { alertFacts } from './alert-facts.js';

/** A Suricata EVE `alert` record as tapwatch writes it (fields without a value are left out). */
export interface EveAlert {
  timestamp: string;
  flow_id?: number;
  in_iface?: string;
  event_type: 'alert';
  vlan?: number[];
  src_ip: string;
  src_port?: number;
  dest_ip: string;
  dest_port?: number;
  proto: string;
  community_id?: string;
  host?: string;
  alert: {
    action: 'allowed';
    gid: 1;
    signature_id: number;
    rev: number;
    signature: string;
    category: string;
    severity: 1 | 2 | 3;
    metadata: Record<string, string[]>;
  };
  flow: {
    pkts_toserver?: number;
    pkts_toclient?: number;
    bytes_toserver?: number;
    bytes_toclient?: number;
    start: string;
  };
  tapwatch: Alert['tapwatch'] & { alert_id: string; rule_id: string; segment: string };
}

/** Options of `formatEve`. */
export interface EveOptions {
  /** Capture interface, when the caller knows it (the alert itself does not carry one). */
  inIface?: string;
}

/**
 * One alert as a Suricata-EVE-compatible `alert` record, for EveBox, Filebeat's Suricata
 * module and other EVE consumers. tapwatch is a passive sensor, so `action` is always
 * `allowed`; `severity` is EVE's inverted 1..3 from the severity table. ATT&CK ids go to
 * `alert.metadata` the way Suricata rules carry them (`mitre_*` keys, each a list of strings).
 * `flow_id` is not Suricata's own id (tapwatch never saw one): it is a stable, JSON-safe
 * integer derived from the flow's Community ID and start, so every alert about one flow
 * shares it and EVE tools can group them.
 */
export function formatEve(alert: Alert, options: EveOptions = {}): EveAlert {
  const { source, destination } = alert;
  const vlan = alert.network.vlan === undefined ? undefined : Number(alert.network.vlan.id);
  const record: EveAlert = {
    timestamp: suricataTime(alertFacts.timeMs(alert)),
    flow_id: flowId(alert),
    in_iface: options.inIface,
    event_type: 'alert',
    vlan: vlan === undefined || !Number.isInteger(vlan) ? undefined : [vlan],
    src_ip: source.ip,
    src_port: source.port,
    dest_ip: destination.ip,
    dest_port: destination.port,
    proto: alertFacts.protocolName(alert),
    community_id: alert.network.community_id,
    host: alert.observer.hostname,
    alert: {
      action: 'allowed',
      gid: 1,
      signature_id: alertFacts.signatureId(alert) ?? 0,
      rev: alertFacts.ruleRevision(alert),
      signature: alert.rule.name,
      category: alert.rule.category,
      severity: severityMapping(alert.event.severity).eveSeverity,
      metadata: metadataOf(alert),
    },
    flow: {
      pkts_toserver: source.packets,
      pkts_toclient: destination.packets,
      bytes_toserver: source.bytes,
      bytes_toclient: destination.bytes,
      start: suricataTime(Date.parse(alert.event.start)),
    },
    tapwatch: {
      alert_id: alert.event.id,
      rule_id: alert.rule.id,
      segment: alert.labels.segment,
      ...alert.tapwatch,
    },
  };
  return dropUndefined(record);
}

/** Suricata's timestamp: microseconds and a numeric zone without a colon, `2024-05-01T12:00:03.123456+0000`. */
export function suricataTime(ms: number): string {
  const safe = Number.isFinite(ms) ? ms : 0;
  const iso = new Date(Math.floor(safe)).toISOString();
  // Date holds whole milliseconds; the sub-millisecond rest of a float event time fills the last digits.
  const micros = Math.floor((safe - Math.floor(safe)) * 1000);
  return `${iso.slice(0, 23)}${String(micros).padStart(3, '0')}+0000`;
}

function metadataOf(alert: Alert): Record<string, string[]> {
  const metadata: Record<string, string[]> = {
    tapwatch_rule_id: [alert.rule.id],
    tapwatch_segment: [alert.labels.segment],
    tapwatch_severity: [severityMapping(alert.event.severity).name],
  };
  const threat = alert.threat;
  if (threat !== undefined) {
    const technique = threat.technique.subtechnique ?? threat.technique;
    metadata.mitre_technique_id = [technique.id];
    metadata.mitre_technique_name = [technique.name];
    if (threat.tactic !== undefined) {
      metadata.mitre_tactic_id = [threat.tactic.id];
      metadata.mitre_tactic_name = [threat.tactic.name];
    }
  }
  return metadata;
}

/**
 * 53-bit integer from the flow's identity, so JSON readers that parse numbers as doubles keep
 * it exact. Suricata's own ids are 64-bit and get rounded by such readers; this one does not.
 */
function flowId(alert: Alert): number {
  const { source, destination, network } = alert;
  const identity =
    network.community_id ??
    `${source.ip}|${source.port ?? ''}|${destination.ip}|${destination.port ?? ''}|${network.iana_number}`;
  const digest = createHash('sha256').update(`${identity}\0${alert.event.start}`).digest();
  return Number(digest.readBigUInt64BE(0) >> 11n);
}

function dropUndefined<T extends object>(record: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue;
    const isPlainObject = value !== null && typeof value === 'object' && !Array.isArray(value);
    out[key] = isPlainObject && key === 'flow' ? dropUndefined(value) : value;
  }
  return out as T;
}
