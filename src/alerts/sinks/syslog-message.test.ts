import { describe, expect, it } from 'vitest';
import { formatSyslogMessage, frameSyslogMessage, syslogSeverity } from './syslog-message.js';

const HEADER = { facility: 20, hostname: 'sensor-1', appName: 'tapwatch', procId: '4242', msgId: 'CEF' };
const T = Date.UTC(2024, 4, 1, 12, 0, 3, 123);

describe('formatSyslogMessage', () => {
  it('writes an RFC 5424 line with PRI from facility and severity', () => {
    const { bytes, truncated } = formatSyslogMessage(
      { ...HEADER, softwareVersion: '0.1.0' },
      { severity: syslogSeverity(4), timeMs: T, sequenceId: 7, payload: 'CEF:0|a|b' },
      2048,
    );
    expect(truncated).toBe(false);
    expect(bytes.toString()).toBe(
      '<163>1 2024-05-01T12:00:03.123Z sensor-1 tapwatch 4242 CEF [origin software="tapwatch" swVersion="0.1.0"][meta sequenceId="7"] CEF:0|a|b',
    );
  });

  it('maps the tapwatch scale onto syslog severities', () => {
    expect([1, 2, 3, 4, 5, 6].map(syslogSeverity)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(syslogSeverity(99)).toBe(1);
    expect(syslogSeverity(Number.NaN)).toBe(6);
  });

  it('cleans header tokens and escapes SD values', () => {
    const text = formatSyslogMessage(
      { ...HEADER, hostname: 'my host', msgId: '', softwareVersion: '1"]\\' },
      { severity: 6, timeMs: T, sequenceId: 1, payload: 'x' },
      2048,
    ).bytes.toString();
    expect(text).toContain(' my_host tapwatch 4242 - [origin software="tapwatch" swVersion="1\\"\\]\\\\"]');
  });

  it('truncates at a character boundary and never leaves half an escape', () => {
    const head = formatSyslogMessage(
      HEADER,
      { severity: 6, timeMs: T, sequenceId: 1, payload: '' },
      2048,
    ).bytes;
    const euro = formatSyslogMessage(
      HEADER,
      { severity: 6, timeMs: T, sequenceId: 1, payload: 'ab€cd' },
      head.length + 4,
    );
    expect(euro.truncated).toBe(true);
    expect(euro.bytes.toString().endsWith(' ab')).toBe(true);
    const escaped = formatSyslogMessage(
      HEADER,
      { severity: 6, timeMs: T, sequenceId: 1, payload: 'a\\=b' },
      head.length + 2,
    );
    expect(escaped.bytes.toString().endsWith(' a')).toBe(true);
    expect(escaped.bytes.length).toBeLessThanOrEqual(head.length + 2);
  });
});

describe('frameSyslogMessage', () => {
  it('prefixes the octet count or appends a line feed', () => {
    const message = Buffer.from('<14>1 é');
    expect(frameSyslogMessage(message, 'octet-counting').toString()).toBe('8 <14>1 é');
    expect(frameSyslogMessage(message, 'lf').toString()).toBe('<14>1 é\n');
  });
});
