import { describe, expect, it } from 'vitest';
import { PairPersistence } from './pair-persistence.js';

const options = {
  referenceScore: 1.2,
  halfLifeSeconds: 1800,
  alarmScore: 8,
  falseAlertRate: 0.001,
  maxPairs: 3,
};

describe('PairPersistence', () => {
  it('accumulates mildly unusual flows of one pair past the alarm limit', () => {
    const p = new PairPersistence(options);
    let evidence = 0;
    for (let i = 0; i < 37; i++) evidence = p.update('a>b', 2.2, i * 30_000);
    expect(evidence).toBeGreaterThan(options.alarmScore);
    expect(p.pValue(evidence)).toBeLessThan(options.falseAlertRate);
    expect(p.pValue(options.alarmScore)).toBeCloseTo(options.falseAlertRate, 12);
    expect(p.pValue(0)).toBe(1);
  });

  it('drains on ordinary flows, decays in event time and caps one flow at h/4', () => {
    const p = new PairPersistence(options);
    expect(p.update('a>b', 300, 0)).toBeCloseTo(2, 12);
    expect(p.update('a>b', 0.2, 1000)).toBeLessThan(1.01);
    const q = new PairPersistence(options);
    q.update('a>b', 3.2, 0);
    expect(q.update('a>b', 1.2, 1_800_000)).toBeCloseTo(1, 6);
    expect(q.update('c>d', 0.5, 0)).toBe(0);
    expect(q.size).toBe(1);
  });

  it('keeps at most maxPairs, dropping the least recently updated, and round-trips', () => {
    const p = new PairPersistence(options);
    for (const key of ['a', 'b', 'c', 'd']) p.update(key, 3, 0);
    expect(p.size).toBe(3);
    expect(p.snapshot().map(([key]) => key)).toEqual(['b', 'c', 'd']);
    const copy = new PairPersistence(options);
    copy.restore(JSON.parse(JSON.stringify(p.snapshot())));
    expect(copy.update('b', 2, 10)).toBeCloseTo(p.update('b', 2, 10), 12);
  });
});
