import { describe, expect, it } from 'vitest';
import { formatLeef } from './format-leef.js';
import { ipv6Alert, synFloodAlert } from './golden/sample-alerts.js';

function attributes(line: string, delimiter: string, skipFields: number): Map<string, string> {
  const body = line.split('|').slice(skipFields).join('|');
  return new Map(
    body.split(delimiter).map((pair) => {
      const at = pair.indexOf('=');
      return [pair.slice(0, at), pair.slice(at + 1)] as [string, string];
    }),
  );
}

describe('formatLeef', () => {
  it('matches the golden lines (2.0 tab, 2.0 caret, 1.0)', async () => {
    const lines = [
      formatLeef(synFloodAlert()),
      formatLeef(synFloodAlert(), { delimiter: 'caret' }),
      formatLeef(ipv6Alert(), { version: '1.0' }),
    ];
    await expect(`${lines.join('\n')}\n`).toMatchFileSnapshot('./golden/alerts.leef.txt');
  });

  it('writes a LEEF 2.0 header naming the delimiter and the predefined keys', () => {
    const line = formatLeef(synFloodAlert());
    expect(line.startsWith('LEEF:2.0|tapwatch|tapwatch|0.1.0|tapwatch-syn-flood|x09|devTime=')).toBe(true);
    const attrs = attributes(line, '\t', 6);
    expect(attrs.get('devTime')).toBe('2024-05-01T12:00:00.250+0000');
    expect(attrs.get('devTimeFormat')).toBe("yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    expect(attrs.get('src')).toBe('198.51.100.7');
    expect(attrs.get('dstPort')).toBe('443');
    expect(attrs.get('proto')).toBe('TCP');
    expect(attrs.get('sev')).toBe('7');
    expect(attrs.get('technique')).toBe('T1499.001');
  });

  it('writes LEEF 1.0 without a delimiter field, always tab-separated', () => {
    const line = formatLeef(ipv6Alert(), { version: '1.0', delimiter: 'caret' });
    expect(line.startsWith('LEEF:1.0|tapwatch|tapwatch|unknown|tapwatch-anomalous-flow|devTime=')).toBe(true);
    expect(attributes(line, '\t', 5).get('src')).toBe('2001:db8:1::5');
  });

  it('keeps values from breaking the record or the attribute list', () => {
    const alert = synFloodAlert();
    alert.event.reason = 'a\tb^c\nd|e=f';
    const tab = attributes(formatLeef(alert), '\t', 6).get('msg');
    expect(tab).toBe('a b^c d|e=f');
    const caretLine = formatLeef(alert, { delimiter: 'caret' });
    expect(caretLine).not.toMatch(/[\t\n]/);
    expect(attributes(caretLine, '^', 6).get('msg')).toBe('a b c d|e=f');
  });
});
