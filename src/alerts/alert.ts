/**
 * The alert tapwatch emits: a plain ECS 8.11 document plus a `tapwatch` object carrying the
 * detector's evidence. Every field that has no value is left out rather than set to null,
 * so SIEM field statistics are not polluted. Other formats (OCSF, EVE, CEF) are derived
 * from this shape.
 */
export interface Alert {
  /** Event time of the flow's end (ISO 8601, UTC); never the time tapwatch saw it. */
  '@timestamp': string;
  ecs: { version: string };
  event: AlertEvent;
  rule: AlertRule;
  source: AlertEndpoint;
  destination: AlertEndpoint;
  network: AlertNetwork;
  observer: AlertObserver;
  labels: { segment: string };
  /** Present only when the rule maps to an ATT&CK technique. */
  threat?: AlertThreat;
  tapwatch: TapwatchEvidence;
}

/** ECS `event.*`. */
export interface AlertEvent {
  kind: 'alert';
  category: string[];
  type: string[];
  /** tapwatch severity 1–6 (see `severity.ts`). */
  severity: number;
  /** 0–100. */
  risk_score: number;
  /** 0–100; equal to `risk_score` because that is already normalized. */
  risk_score_norm: number;
  /** Deterministic alert id, stable across redeliveries of the same input. */
  id: string;
  start: string;
  end: string;
  /** Flow duration in nanoseconds, as ECS defines `event.duration`. */
  duration?: number;
  reason: string;
  dataset: 'tapwatch.alert';
  module: 'tapwatch';
}

/** ECS `rule.*`, copied from the rule catalogue. */
export interface AlertRule {
  id: string;
  name: string;
  category: string;
  ruleset: 'tapwatch';
  version: string;
  description: string;
}

/** ECS `source.*` / `destination.*`; bytes and packets are sent by that side. */
export interface AlertEndpoint {
  ip: string;
  port?: number;
  bytes?: number;
  packets?: number;
}

/** ECS `network.*`. */
export interface AlertNetwork {
  /** Lower-case protocol name (`tcp`, `udp`, `icmp`, ...). */
  transport: string;
  /** IANA protocol number as a string, as ECS stores it. */
  iana_number: string;
  community_id?: string;
  /** `inbound`, `outbound`, `internal` or `external`, when the internal networks are known. */
  direction?: string;
  bytes?: number;
  packets?: number;
  vlan?: { id: string };
}

/** ECS `observer.*`; the ingress zone is the segment. */
export interface AlertObserver {
  type: 'ids';
  product: 'tapwatch';
  vendor: 'tapwatch';
  version?: string;
  hostname?: string;
  ingress: { zone: string };
}

/** ECS `threat.*` for one ATT&CK technique. */
export interface AlertThreat {
  framework: 'MITRE ATT&CK';
  technique: { id: string; name: string; reference: string; subtechnique?: { id: string; name: string } };
  tactic?: { id: string; name: string; reference: string };
}

/** What the detector saw, so an analyst can judge the alert without re-running anything. */
export interface TapwatchEvidence {
  score: number;
  threshold: number;
  p_value: number;
  model_state: string;
  /** Detector name → its calibrated p-value and averaging weight. */
  detectors: Record<string, { p_value: number; weight: number }>;
  top_features: { name: string; value: number; baseline: number; share: number }[];
  /** The segment's window counters when the flow was scored, shortest window first. */
  windows: TapwatchWindowSnapshot[];
  /** Short facts behind the rule choice, e.g. `syn_only_ratio=0.97`. */
  evidence: string[];
  /** One sentence for an analyst: what, toward or from whom, how far above normal (also `event.reason`). */
  explanation: string;
  dedup_key: string;
  /** Detections this alert stands for: itself plus the duplicates suppressed since the previous alert. */
  occurrences: number;
  /** Duplicates suppressed since the previous alert with the same `dedup_key`. */
  suppressed: number;
  /** Alerts of this segment the rate limit held back since its previous alert; absent when none. */
  rate_limited?: number;
  input: TapwatchInputPointer;
}

/** One segment window (`SegmentWindowStats`) in snake_case, its end as ISO time. */
export interface TapwatchWindowSnapshot {
  window_seconds: number;
  end: string;
  flows: number;
  bytes: number;
  packets: number;
  distinct_dst_hosts: number;
  distinct_dst_ports: number;
  distinct_src_hosts: number;
  syn_only_ratio: number;
  failed_ratio: number;
  dst_port_entropy: number;
}

/** Where the flow came from: a capture file's packet range or a Kafka message. */
export interface TapwatchInputPointer {
  format: string;
  origin: string;
  first_packet?: number;
  last_packet?: number;
  partition?: number;
  offset?: string;
}
