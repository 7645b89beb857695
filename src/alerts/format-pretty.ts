import type { Alert, AlertEndpoint } from './alert.js';
import { ALERT_RULES } from './rules.js';
import { type SeverityName, severityMapping } from './severity.js';

/** Options of `formatPretty`. */
export interface PrettyOptions {
  /** Wrap the severity tag in ANSI colours; only for a terminal. */
  color?: boolean;
}

const TAGS: Record<SeverityName, string> = {
  informational: 'INFO',
  low: 'LOW',
  medium: 'MED',
  high: 'HIGH',
  critical: 'CRIT',
  fatal: 'FATAL',
};

// SGR codes: dim, cyan, yellow, red, bold red, bold white on red.
const COLORS: Record<SeverityName, string> = {
  informational: '\u001b[2m',
  low: '\u001b[36m',
  medium: '\u001b[33m',
  high: '\u001b[31m',
  critical: '\u001b[1;31m',
  fatal: '\u001b[1;37;41m',
};
const RESET = '\u001b[0m';

const numberFormat = new Intl.NumberFormat('en-US');

/**
 * One readable line per alert, for a terminal:
 * `2024-05-01T12:00:03Z HIGH  seg=servers  SYN flood → 10.2.0.10:443 from 2,113 sources  score 9.1 > 4.2  (T1499.001)`.
 * It reads only the alert document, so alerts read back from a JSONL file print the same way.
 */
export function formatPretty(alert: Alert, options: PrettyOptions = {}): string {
  const name = severityMapping(alert.event.severity).name;
  const tag = TAGS[name].padEnd(5);
  const severity = options.color ? `${COLORS[name]}${tag}${RESET}` : tag;
  const time = alert['@timestamp'].replace(/\.\d+Z$/, 'Z');
  const { tapwatch } = alert;
  const parts = [
    `seg=${alert.labels.segment}`,
    summary(alert),
    `score ${tapwatch.score.toFixed(1)} > ${tapwatch.threshold.toFixed(1)}`,
  ];
  if (tapwatch.suppressed > 0) parts.push(`+${numberFormat.format(tapwatch.suppressed)} repeats`);
  const technique = alert.threat?.technique.subtechnique?.id ?? alert.threat?.technique.id;
  if (technique !== undefined) parts.push(`(${technique})`);
  return `${time} ${severity} ${parts.join('  ')}`;
}

function summary(alert: Alert): string {
  const { rule, source, destination } = alert;
  const window = alert.tapwatch.windows[0];
  switch (rule.id) {
    case ALERT_RULES['syn-flood'].id:
    case ALERT_RULES['volumetric-flood'].id: {
      const sources = window?.distinct_src_hosts ?? 0;
      const from =
        sources > 1 ? ` from ${numberFormat.format(Math.round(sources))} sources` : ` from ${source.ip}`;
      return `${rule.name} → ${hostPort(destination)}${from}`;
    }
    case ALERT_RULES['port-scan'].id: {
      const ports =
        window === undefined ? '' : `, ${numberFormat.format(Math.round(window.distinct_dst_ports))} ports`;
      return `${rule.name} ${source.ip} → ${destination.ip}${ports}`;
    }
    case ALERT_RULES['host-scan'].id: {
      const hosts =
        window === undefined ? '' : ` ${numberFormat.format(Math.round(window.distinct_dst_hosts))} hosts`;
      return `${rule.name} ${source.ip} →${hosts} (port ${destination.port ?? '-'})`;
    }
    case ALERT_RULES['large-outbound'].id:
      return `${rule.name} ${hostPort(source)} → ${hostPort(destination)} ${formatBytes(source.bytes ?? 0)}`;
    default:
      return `${rule.name} ${hostPort(source)} → ${hostPort(destination)}/${alert.network.transport}`;
  }
}

function hostPort(endpoint: AlertEndpoint): string {
  if (endpoint.port === undefined) return endpoint.ip;
  return endpoint.ip.includes(':') ? `[${endpoint.ip}]:${endpoint.port}` : `${endpoint.ip}:${endpoint.port}`;
}

function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
