import type { AlertPipelineStats } from './alerts/alert-pipeline.js';
import type { PcapFileSourceStats } from './ingest/capture/pcap-file-source.js';

/** What a finished run reports: on stderr for people, and as one `summary` log line for machines. */
export interface RunSummary {
  files: string[];
  packets: number;
  bytes: number;
  flows: number;
  segments: string[];
  /** Alerts emitted per severity name. */
  alerts: Record<string, number>;
  /** Above-threshold detections not emitted, by reason (duplicate, rate_limited, allow_list, ...). */
  suppressed: Record<string, number>;
  decodeErrors: Record<string, number>;
  seconds: number;
  packetsPerSecond: number;
  flowsPerSecond: number;
  /** Set when the run stopped on bad input. */
  error?: string;
}

const SEVERITY_ORDER = ['fatal', 'critical', 'high', 'medium', 'low', 'informational'];

export function summarize(
  files: string[],
  source: PcapFileSourceStats,
  flows: number,
  segments: readonly string[],
  alerts: AlertPipelineStats,
  seconds: number,
): RunSummary {
  const bySeverity: Record<string, number> = {};
  for (const { severity, count } of alerts.emitted)
    bySeverity[severity] = (bySeverity[severity] ?? 0) + count;
  const decodeErrors = Object.fromEntries(Object.entries(source.decodeErrors).filter(([, n]) => n > 0));
  return {
    files,
    packets: source.packets,
    bytes: source.bytes,
    flows,
    segments: [...segments],
    alerts: bySeverity,
    suppressed: bySuppressReason(alerts),
    decodeErrors,
    seconds,
    packetsPerSecond: seconds > 0 ? source.packets / seconds : 0,
    flowsPerSecond: seconds > 0 ? flows / seconds : 0,
  };
}

function bySuppressReason(alerts: AlertPipelineStats): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { reason, count } of alerts.suppressed) out[reason] = (out[reason] ?? 0) + count;
  return out;
}

const n = (value: number) => Math.round(value).toLocaleString('en-US');

/** The human-readable block printed when a run ends. */
export function formatSummary(s: RunSummary): string {
  const alertTotal = Object.values(s.alerts).reduce((a, b) => a + b, 0);
  const severities = SEVERITY_ORDER.filter((name) => s.alerts[name])
    .map((name) => `${name} ${n(s.alerts[name]!)}`)
    .join(', ');
  const errors = Object.entries(s.decodeErrors)
    .map(([reason, count]) => `${reason} ${n(count)}`)
    .join(', ');
  const lines = [
    `tapwatch summary${s.error ? ' (stopped on bad input)' : ''}`,
    `  input     ${s.files.join(', ')}`,
    `  packets   ${n(s.packets)} (${(s.bytes / 1e6).toFixed(1)} MB) in ${s.seconds.toFixed(2)} s, ${n(s.packetsPerSecond)} packets/s`,
    `  flows     ${n(s.flows)}, ${n(s.flowsPerSecond)} flows/s`,
    `  segments  ${s.segments.length}: ${s.segments.join(', ')}`,
    `  alerts    ${n(alertTotal)}${severities ? ` (${severities})` : ''}`,
  ];
  const held = Object.entries(s.suppressed)
    .map(([reason, count]) => `${reason.replace(/_/g, ' ')} ${n(count)}`)
    .join(', ');
  if (held) lines.push(`  held back ${held}`);
  if (errors) lines.push(`  skipped   ${errors}`);
  if (s.error) lines.push(`  error     ${s.error}`);
  return `${lines.join('\n')}\n`;
}
