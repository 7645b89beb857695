import { describe, expect, it } from 'vitest';
import { DriftMonitor } from './drift-monitor.js';
import { seededRandom } from './seeded-random.js';

const options = { windowFlows: 200, shiftedShare: 0.35, minSeconds: 600 };

describe('DriftMonitor', () => {
  it('stays quiet on calibrated p-values and on a short burst of small ones', () => {
    const random = seededRandom(2);
    const m = new DriftMonitor(options);
    let drift = false;
    for (let i = 0; i < 5000; i++) drift ||= m.observe(random(), i * 1000);
    // A burst of 300 small p-values over 30 s: shifted, but not for long enough.
    for (let i = 0; i < 300; i++) drift ||= m.observe(0.01, 5_000_000 + i * 100);
    for (let i = 0; i < 2000; i++) drift ||= m.observe(random(), 5_030_000 + i * 1000);
    expect(drift).toBe(false);
  });

  it('reports a lasting shift once it has held for minSeconds, and resets', () => {
    const random = seededRandom(3);
    const m = new DriftMonitor(options);
    for (let i = 0; i < 1000; i++) m.observe(random(), i * 1000);
    let at = -1;
    for (let i = 0; i < 3000 && at < 0; i++) if (m.observe(random() * 0.2, 1_000_000 + i * 1000)) at = i;
    expect(at).toBeGreaterThan(600);
    expect(m.share).toBeGreaterThan(0.35);
    const copy = new DriftMonitor(options);
    copy.restore(m.snapshot());
    expect(copy.share).toBe(m.share);
    m.reset();
    expect(m.share).toBeCloseTo(0.1, 12);
  });
});
