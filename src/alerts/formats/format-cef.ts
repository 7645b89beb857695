import type { Alert } from '../alert.js';
import { severityMapping } from '../severity.js';
import { alertFacts } from './alert-facts.js';

/** Options of `formatCef`. */
export interface CefOptions {
  /** Device Version header field; defaults to `observer.version`, else `unknown`. */
  productVersion?: string;
}

/**
 * One alert as an ArcSight CEF:0 line, the payload of the syslog sink:
 * `CEF:0|tapwatch|tapwatch|<version>|<signature id>|<rule name>|<0-10>|<extension>`.
 *
 * Keys are CEF's predefined ones where they exist (ArcSight, Sentinel and QRadar map those
 * without a parser); tapwatch-specific values use the labelled custom slots:
 * cs1 segment, cs2 dedup key, cs3 rule id, cs4 Community ID, cfp1 score, cfp2 threshold,
 * cfp3 p-value; `cnt` carries the occurrences the alert stands for. Scores are fractional, so
 * they go to the float slots (cfp) rather than cn*, which CEF defines as integers. IPv6 addresses go to c6a2/c6a3, because
 * `src`/`dst` are IPv4 fields in the CEF specification and strict parsers reject anything else.
 * Times are event times in epoch milliseconds.
 */
export function formatCef(alert: Alert, options: CefOptions = {}): string {
  const header = [
    'CEF:0',
    'tapwatch',
    'tapwatch',
    options.productVersion ?? alert.observer.version ?? 'unknown',
    String(alertFacts.signatureId(alert) ?? alert.rule.id),
    alert.rule.name,
    String(severityMapping(alert.event.severity).cefSeverity),
  ]
    .map((field, i) => (i === 0 ? field : escapeHeader(field)))
    .join('|');
  const extension = extensionPairs(alert)
    .filter((pair): pair is [string, string | number] => pair[1] !== undefined && pair[1] !== '')
    .map(([key, value]) => `${key}=${escapeExtension(String(value))}`)
    .join(' ');
  return `${header}|${extension}`;
}

function extensionPairs(alert: Alert): [string, string | number | undefined][] {
  const { source, destination, tapwatch } = alert;
  return [
    ['rt', alertFacts.timeMs(alert)],
    ['start', Date.parse(alert.event.start)],
    ['end', Date.parse(alert.event.end)],
    ...address('src', 'c6a2', 'Source IPv6 Address', source.ip),
    ['spt', source.port],
    ...address('dst', 'c6a3', 'Destination IPv6 Address', destination.ip),
    ['dpt', destination.port],
    ['proto', alertFacts.protocolName(alert)],
    ['in', source.bytes],
    ['out', destination.bytes],
    ['deviceDirection', deviceDirection(alert.network.direction)],
    ['cat', alert.rule.category],
    ['act', 'alert'],
    ['msg', alert.event.reason],
    ['externalId', alert.event.id],
    ['deviceExternalId', alert.observer.hostname],
    ['dvchost', alert.observer.hostname],
    ['cnt', tapwatch.occurrences],
    ['cs1', alert.labels.segment],
    ['cs1Label', 'segment'],
    ['cs2', tapwatch.dedup_key],
    ['cs2Label', 'dedupKey'],
    ['cs3', alert.rule.id],
    ['cs3Label', 'ruleId'],
    ['cs4', alert.network.community_id],
    ['cs4Label', alert.network.community_id === undefined ? undefined : 'communityId'],
    ['cfp1', tapwatch.score],
    ['cfp1Label', 'score'],
    ['cfp2', tapwatch.threshold],
    ['cfp2Label', 'threshold'],
    ['cfp3', tapwatch.p_value],
    ['cfp3Label', 'pValue'],
  ];
}

function address(v4Key: string, v6Key: string, v6Label: string, ip: string): [string, string | undefined][] {
  if (!alertFacts.isIpv6(ip)) return [[v4Key, ip]];
  return [
    [v6Key, ip],
    [`${v6Key}Label`, v6Label],
  ];
}

/** CEF deviceDirection: 0 inbound, 1 outbound; other directions have no code. */
function deviceDirection(direction: string | undefined): number | undefined {
  if (direction === 'inbound') return 0;
  if (direction === 'outbound') return 1;
  return undefined;
}

/** Header fields escape `\` and `|`; a line break would end the syslog record, so it becomes a space. */
export function escapeHeader(value: string): string {
  return value.replace(/[\\|]/g, (c) => `\\${c}`).replace(/\r\n|[\r\n]/g, ' ');
}

/** Extension values escape `\` and `=`, and encode line breaks as `\n` / `\r`. */
export function escapeExtension(value: string): string {
  return value.replace(/[\\=\r\n]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    return `\\${c}`;
  });
}
