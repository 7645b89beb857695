import { describe, expect, it } from 'vitest';
import { buildAlert } from './build-alert.js';
import { classifyDetection } from './classify-detection.js';
import { formatPretty } from './format-pretty.js';
import { makeDetection, makeFlow, makeWindow } from './testing/make-detection.js';

function alertOf(detection = makeDetection(), occurrences = 1) {
  return buildAlert(detection, classifyDetection(detection), { occurrences });
}

const flood = makeDetection({
  score: 9.1,
  threshold: 4.2,
  flow: makeFlow({
    tcpFlags: 0x02,
    pktsFwd: 1,
    pktsRev: 0,
    bytesRev: 0,
    start: Date.UTC(2024, 4, 1, 12, 0, 3),
    end: Date.UTC(2024, 4, 1, 12, 0, 3, 400),
  }),
  windows: [
    makeWindow({
      flows: 5000,
      distinctSrcHosts: 2113,
      distinctDstHosts: 1,
      distinctDstPorts: 1,
      synOnlyRatio: 0.97,
    }),
  ],
});

describe('formatPretty', () => {
  it('prints one readable line for a flood', () => {
    expect(formatPretty(alertOf(flood))).toBe(
      '2024-05-01T12:00:03Z HIGH  seg=servers  SYN flood → 10.2.0.10:443 from 2,113 sources  score 9.1 > 4.2  (T1499.001)',
    );
  });

  it('prints the generic rule with both endpoints and no technique', () => {
    const line = formatPretty(alertOf());
    expect(line).toBe(
      '2024-05-01T12:00:00Z MED   seg=servers  Anomalous flow 10.1.0.5:51234 → 10.2.0.10:443/tcp  score 6.0 > 4.0',
    );
  });

  it('shows the repeats an alert stands for', () => {
    expect(formatPretty(alertOf(makeDetection(), 1201))).toContain('+1,200 repeats');
  });

  it('colours the severity only when asked', () => {
    expect(formatPretty(alertOf(flood))).not.toContain('\u001b[');
    const coloured = formatPretty(alertOf(flood), { color: true });
    expect(coloured).toContain('\u001b[31mHIGH \u001b[0m');
    expect(coloured.split('\n')).toHaveLength(1);
  });
});
