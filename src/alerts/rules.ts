import type { Severity } from './severity.js';

/**
 * The fixed catalogue of alert rules. Ids never change once released: SIEM correlation,
 * suppressions and dashboards key on them. A change to how a rule decides bumps `version`.
 * `signatureId` is the number EVE `alert.signature_id` and the CEF SignatureID use, taken
 * from Suricata's range for local rules (1000000–1999999).
 */
export interface AlertRuleDefinition {
  id: string;
  signatureId: number;
  version: string;
  name: string;
  category: string;
  description: string;
  baseSeverity: Severity;
  /** Which end of the flow the alert is about: the dedup key and the pretty line use it. */
  focus: 'source' | 'destination';
  technique?: AttackTechnique;
}

/** MITRE ATT&CK technique (optionally a sub-technique) and the tactic it serves. */
export interface AttackTechnique {
  id: string;
  name: string;
  subtechnique?: { id: string; name: string };
  tactic: { id: string; name: string };
}

/** Internal key of a rule; the public id is `AlertRuleDefinition.id`. */
export type RuleId =
  | 'syn-flood'
  | 'volumetric-flood'
  | 'host-scan'
  | 'port-scan'
  | 'beaconing'
  | 'large-outbound'
  | 'anomalous-flow';

const IMPACT = { id: 'TA0040', name: 'Impact' };
const DISCOVERY = { id: 'TA0007', name: 'Discovery' };

/** The catalogue, keyed by `RuleId`. */
export const ALERT_RULES: Readonly<Record<RuleId, AlertRuleDefinition>> = Object.freeze({
  'syn-flood': {
    id: 'tapwatch-syn-flood',
    signatureId: 1_900_001,
    version: '1',
    name: 'SYN flood',
    category: 'Denial of Service',
    description:
      'Many half-open TCP connections toward one destination: a high SYN-only ratio and many one-packet flows in the segment window.',
    baseSeverity: 3,
    focus: 'destination',
    technique: {
      id: 'T1499',
      name: 'Endpoint Denial of Service',
      subtechnique: { id: 'T1499.001', name: 'OS Exhaustion Flood' },
      tactic: IMPACT,
    },
  },
  'volumetric-flood': {
    id: 'tapwatch-volumetric-flood',
    signatureId: 1_900_002,
    version: '1',
    name: 'Volumetric flood',
    category: 'Denial of Service',
    description:
      'Flow or packet volume toward one destination far above the segment baseline, from many sources.',
    baseSeverity: 3,
    focus: 'destination',
    technique: {
      id: 'T1498',
      name: 'Network Denial of Service',
      subtechnique: { id: 'T1498.001', name: 'Direct Network Flood' },
      tactic: IMPACT,
    },
  },
  'host-scan': {
    id: 'tapwatch-host-scan',
    signatureId: 1_900_003,
    version: '1',
    name: 'Host sweep',
    category: 'Network Scan',
    description: 'One source reaching many hosts with short, mostly unanswered connections.',
    baseSeverity: 2,
    focus: 'source',
    technique: { id: 'T1046', name: 'Network Service Discovery', tactic: DISCOVERY },
  },
  'port-scan': {
    id: 'tapwatch-port-scan',
    signatureId: 1_900_004,
    version: '1',
    name: 'Port scan',
    category: 'Network Scan',
    description: 'One source probing many ports with short, mostly failed connections.',
    baseSeverity: 2,
    focus: 'source',
    technique: { id: 'T1046', name: 'Network Service Discovery', tactic: DISCOVERY },
  },
  beaconing: {
    id: 'tapwatch-beaconing',
    signatureId: 1_900_005,
    version: '1',
    name: 'Beaconing',
    category: 'Command and Control',
    description:
      'Small flows between one host pair at unusually regular intervals (low inter-arrival jitter).',
    baseSeverity: 3,
    focus: 'source',
    technique: {
      id: 'T1071',
      name: 'Application Layer Protocol',
      tactic: { id: 'TA0011', name: 'Command and Control' },
    },
  },
  'large-outbound': {
    id: 'tapwatch-large-outbound',
    signatureId: 1_900_006,
    version: '1',
    name: 'Large outbound transfer',
    category: 'Exfiltration',
    description: 'A flow sending far more than it receives and far more than the segment usually sends.',
    baseSeverity: 3,
    focus: 'source',
    technique: {
      id: 'T1048',
      name: 'Exfiltration Over Alternative Protocol',
      tactic: { id: 'TA0010', name: 'Exfiltration' },
    },
  },
  'anomalous-flow': {
    id: 'tapwatch-anomalous-flow',
    signatureId: 1_900_000,
    version: '1',
    name: 'Anomalous flow',
    category: 'Network Anomaly',
    description: 'A flow the segment model scores above its threshold that matches no more specific rule.',
    baseSeverity: 2,
    focus: 'source',
  },
});

/** ATT&CK page of a technique or tactic id (`T1499.001` → `.../techniques/T1499/001/`). */
export function attackReference(id: string): string {
  if (id.startsWith('TA')) return `https://attack.mitre.org/tactics/${id}/`;
  return `https://attack.mitre.org/techniques/${id.replace('.', '/')}/`;
}
