import { describe, expect, it } from 'vitest';
import { escapeExtension, escapeHeader, formatCef } from './format-cef.js';
import { ipv6Alert, synFloodAlert } from './golden/sample-alerts.js';

describe('formatCef', () => {
  it('matches the golden lines', async () => {
    const lines = `${formatCef(synFloodAlert())}\n${formatCef(ipv6Alert())}\n`;
    await expect(lines).toMatchFileSnapshot('./golden/alerts.cef.txt');
  });

  it('writes the header from the rule and the severity table', () => {
    const line = formatCef(synFloodAlert());
    expect(line.startsWith('CEF:0|tapwatch|tapwatch|0.1.0|1900001|SYN flood|7|rt=1714564800250 ')).toBe(true);
    expect(line).toContain(' src=198.51.100.7 spt=40001 dst=10.2.0.10 dpt=443 proto=TCP ');
    expect(line).toContain(' cs1=servers cs1Label=segment cs2=servers|tapwatch-syn-flood|10.2.0.10 ');
    expect(line).toContain(' deviceDirection=0 ');
  });

  it('puts IPv6 addresses in the labelled IPv6 slots', () => {
    const line = formatCef(ipv6Alert());
    expect(line).toContain('c6a2=2001:db8:1::5 c6a2Label=Source IPv6 Address spt=5353');
    expect(line).toContain('c6a3=2001:db8:2::10 c6a3Label=Destination IPv6 Address dpt=53 proto=UDP');
    expect(line).not.toMatch(/ src=| dst=|cs4=/);
  });

  it('escapes pipes and backslashes in the header and =, \\ and line breaks in values', () => {
    const alert = synFloodAlert();
    alert.rule.name = 'a|b\\c';
    alert.event.reason = 'x=1\\y\r\nz';
    const line = formatCef(alert, { productVersion: '1|2' });
    expect(line.split('|').slice(0, 3)).toEqual(['CEF:0', 'tapwatch', 'tapwatch']);
    expect(line).toContain('|1\\|2|1900001|a\\|b\\\\c|7|');
    expect(line).toContain(' msg=x\\=1\\\\y\\r\\nz ');
    expect(line).not.toMatch(/[\r\n]/);
    expect(escapeHeader('line\nbreak')).toBe('line break');
    expect(escapeExtension('a=b')).toBe('a\\=b');
  });
});
