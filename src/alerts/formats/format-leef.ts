import type { Alert } from '../alert.js';
import { severityMapping } from '../severity.js';
import { alertFacts } from './alert-facts.js';
import { escapeHeader } from './format-cef.js';

/** Options of `formatLeef`. */
export interface LeefOptions {
  /** LEEF version; 2.0 names its delimiter in the header, 1.0 always uses a tab. Default 2.0. */
  version?: '1.0' | '2.0';
  /** Attribute delimiter for LEEF 2.0: a tab (default) or a caret. */
  delimiter?: 'tab' | 'caret';
  /** Product Version header field; defaults to `observer.version`, else `unknown`. */
  productVersion?: string;
}

/** Java SimpleDateFormat pattern of `devTime`, which QRadar needs to parse a non-epoch time. */
export const LEEF_DEV_TIME_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSZ";

/**
 * One alert as an IBM QRadar LEEF line:
 * `LEEF:2.0|tapwatch|tapwatch|<version>|<rule id>|<delimiter>|key=value<delimiter>...`
 * (LEEF 1.0 has no delimiter field). Predefined keys first (devTime, src, dst, srcPort,
 * dstPort, proto, sev, cat, srcBytes, dstBytes, srcPackets, dstPackets), then tapwatch keys.
 *
 * LEEF defines no escape for attribute values, so a delimiter or a line break inside a value
 * is replaced by a space: the record must stay one line with unambiguous attributes.
 */
export function formatLeef(alert: Alert, options: LeefOptions = {}): string {
  const version = options.version ?? '2.0';
  const delimiter = version === '1.0' || options.delimiter !== 'caret' ? '\t' : '^';
  const header = [
    `LEEF:${version}`,
    'tapwatch',
    'tapwatch',
    escapeHeader(options.productVersion ?? alert.observer.version ?? 'unknown'),
    escapeHeader(alert.rule.id),
  ];
  // 2.0 names the delimiter in the header; a tab is written as its hex code so it stays visible.
  if (version === '2.0') header.push(delimiter === '\t' ? 'x09' : '^');
  const attributes = attributePairs(alert)
    .filter((pair): pair is [string, string | number] => pair[1] !== undefined && pair[1] !== '')
    .map(([key, value]) => `${key}=${cleanValue(String(value), delimiter)}`)
    .join(delimiter);
  return `${header.join('|')}|${attributes}`;
}

function attributePairs(alert: Alert): [string, string | number | undefined][] {
  const { source, destination, tapwatch } = alert;
  return [
    ['devTime', leefTime(alertFacts.timeMs(alert))],
    ['devTimeFormat', LEEF_DEV_TIME_FORMAT],
    ['src', source.ip],
    ['dst', destination.ip],
    ['srcPort', source.port],
    ['dstPort', destination.port],
    ['proto', alertFacts.protocolName(alert)],
    ['sev', severityMapping(alert.event.severity).leefSeverity],
    ['cat', alert.rule.category],
    ['srcBytes', source.bytes],
    ['dstBytes', destination.bytes],
    ['srcPackets', source.packets],
    ['dstPackets', destination.packets],
    ['externalId', alert.event.id],
    ['ruleName', alert.rule.name],
    ['signatureId', alertFacts.signatureId(alert)],
    ['segment', alert.labels.segment],
    ['dedupKey', tapwatch.dedup_key],
    ['communityId', alert.network.community_id],
    ['direction', alert.network.direction],
    ['score', tapwatch.score],
    ['threshold', tapwatch.threshold],
    ['pValue', tapwatch.p_value],
    ['occurrences', tapwatch.occurrences],
    ['technique', alert.threat?.technique.subtechnique?.id ?? alert.threat?.technique.id],
    ['tactic', alert.threat?.tactic?.id],
    ['observerHost', alert.observer.hostname],
    ['msg', alert.event.reason],
  ];
}

/** `2024-05-01T12:00:00.250+0000`: the shape `LEEF_DEV_TIME_FORMAT` describes, always UTC. */
function leefTime(ms: number): string {
  return `${new Date(Number.isFinite(ms) ? ms : 0).toISOString().slice(0, 23)}+0000`;
}

function cleanValue(value: string, delimiter: string): string {
  return value.replace(/\r\n|[\r\n\t]/g, ' ').replaceAll(delimiter, ' ');
}
