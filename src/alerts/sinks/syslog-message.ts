/** Header fields of an RFC 5424 message that stay the same for every alert of a sink. */
export interface SyslogHeaderFields {
  /** Facility code 0–23 (local4 = 20). */
  facility: number;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  /** Product version for the `origin` SD element; left out when unknown. */
  softwareVersion?: string;
}

/** One message to format: syslog severity, send time, sequence number and payload. */
export interface SyslogMessageInput {
  /** Syslog severity 0 (emergency) – 7 (debug); see `syslogSeverity`. */
  severity: number;
  timeMs: number;
  /** 1..2^31-1, wrapping; lets a receiver spot lost UDP datagrams (RFC 5424 `meta sequenceId`). */
  sequenceId: number;
  payload: string;
}

/** A formatted message and whether its payload had to be cut to fit. */
export interface SyslogMessage {
  bytes: Buffer;
  truncated: boolean;
}

/**
 * Syslog severity of a tapwatch severity (1–6): informational → 6 info, low → 5 notice,
 * medium → 4 warning, high → 3 err, critical → 2 crit, fatal → 1 alert. Emergency (0) means
 * the system itself is unusable and is never used for a detection.
 */
export function syslogSeverity(tapwatchSeverity: number): number {
  const clamped = Number.isFinite(tapwatchSeverity)
    ? Math.min(6, Math.max(1, Math.round(tapwatchSeverity)))
    : 1;
  return 7 - clamped;
}

/**
 * `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [origin ...][meta sequenceId=...] MSG`
 * (RFC 5424). Only IANA-registered SD-IDs are used (`origin`, `meta`), so no private enterprise
 * number is needed. MSG carries no BOM: CEF and LEEF parsers expect the line to start with
 * `CEF:` / `LEEF:`. When the whole message exceeds `maxBytes` the payload is cut at a UTF-8
 * character boundary, and a trailing lone backslash is dropped so the cut cannot leave half
 * of a CEF escape sequence.
 */
export function formatSyslogMessage(
  header: SyslogHeaderFields,
  input: SyslogMessageInput,
  maxBytes: number,
): SyslogMessage {
  const pri = header.facility * 8 + input.severity;
  const origin =
    header.softwareVersion === undefined
      ? '[origin software="tapwatch"]'
      : `[origin software="tapwatch" swVersion="${sdValue(header.softwareVersion.slice(0, 32))}"]`;
  const head =
    `<${pri}>1 ${new Date(input.timeMs).toISOString()} ${headerToken(header.hostname, 255)} ` +
    `${headerToken(header.appName, 48)} ${headerToken(header.procId, 128)} ${headerToken(header.msgId, 32)} ` +
    `${origin}[meta sequenceId="${input.sequenceId}"] `;
  const headBytes = Buffer.from(head, 'utf8');
  const payloadBytes = Buffer.from(input.payload, 'utf8');
  const room = Math.max(0, maxBytes - headBytes.length);
  if (payloadBytes.length <= room) {
    return { bytes: Buffer.concat([headBytes, payloadBytes]), truncated: false };
  }
  return { bytes: Buffer.concat([headBytes, cutPayload(payloadBytes, room)]), truncated: true };
}

/** RFC 6587 framing for TCP: octet counting (`LEN SP MSG`) or a trailing LF. */
export function frameSyslogMessage(message: Buffer, framing: 'octet-counting' | 'lf'): Buffer {
  if (framing === 'lf') return Buffer.concat([message, LF]);
  return Buffer.concat([Buffer.from(`${message.length} `, 'ascii'), message]);
}

const LF = Buffer.from('\n', 'ascii');

function cutPayload(payload: Buffer, room: number): Buffer {
  let end = room;
  // Step back over UTF-8 continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && (payload[end] & 0xc0) === 0x80) end--;
  let backslashes = 0;
  while (backslashes < end && payload[end - 1 - backslashes] === 0x5c) backslashes++;
  if (backslashes % 2 === 1) end--;
  return payload.subarray(0, end);
}

/** Header fields are printable US-ASCII without spaces; anything else becomes `_`, empty becomes `-`. */
function headerToken(value: string, maxLength: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '_').slice(0, maxLength);
  return clean === '' ? '-' : clean;
}

/** SD-PARAM values escape `"`, `\` and `]`. */
function sdValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}
