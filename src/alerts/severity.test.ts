import { describe, expect, it } from 'vitest';
import { clampSeverity, SEVERITY_TABLE, scoreSeverity, severityMapping } from './severity.js';

describe('severity table', () => {
  it('has one row per step 1..6, OCSF-aligned', () => {
    expect(SEVERITY_TABLE.map((r) => r.severity)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(SEVERITY_TABLE.map((r) => r.name)).toEqual([
      'informational',
      'low',
      'medium',
      'high',
      'critical',
      'fatal',
    ]);
    for (const row of SEVERITY_TABLE) {
      expect(row.ocsfSeverityId).toBe(row.severity);
      expect(row.ecsSeverity).toBe(row.severity);
    }
  });

  it('maps to risk scores, CEF and LEEF that rise with severity within their ranges', () => {
    const risk = SEVERITY_TABLE.map((r) => r.riskScore);
    const cef = SEVERITY_TABLE.map((r) => r.cefSeverity);
    expect(risk).toEqual([5, 21, 47, 73, 99, 100]);
    expect(cef).toEqual([1, 3, 5, 7, 9, 10]);
    for (let i = 1; i < SEVERITY_TABLE.length; i++) {
      expect(risk[i]).toBeGreaterThan(risk[i - 1]);
      expect(cef[i]).toBeGreaterThan(cef[i - 1]);
    }
    for (const row of SEVERITY_TABLE) {
      expect(row.riskScore).toBeGreaterThanOrEqual(0);
      expect(row.riskScore).toBeLessThanOrEqual(100);
      expect(row.leefSeverity).toBeGreaterThanOrEqual(1);
      expect(row.leefSeverity).toBeLessThanOrEqual(10);
    }
  });

  it('inverts EVE severity (1 = most severe) onto three steps', () => {
    expect(SEVERITY_TABLE.map((r) => r.eveSeverity)).toEqual([3, 3, 2, 1, 1, 1]);
  });

  it('clamps out-of-range input', () => {
    expect(clampSeverity(0)).toBe(1);
    expect(clampSeverity(9)).toBe(6);
    expect(clampSeverity(Number.NaN)).toBe(1);
    expect(clampSeverity(3.6)).toBe(4);
    expect(severityMapping(42).name).toBe('fatal');
  });
});

describe('scoreSeverity', () => {
  it('raises the base one step at 1.5x the threshold and two at 3x', () => {
    expect(scoreSeverity(3, 4.5, 4)).toBe(3);
    expect(scoreSeverity(3, 6, 4)).toBe(4);
    expect(scoreSeverity(3, 9.1, 4.2)).toBe(4);
    expect(scoreSeverity(3, 12, 4)).toBe(5);
  });

  it('never reaches fatal from a score', () => {
    expect(scoreSeverity(5, 100, 4)).toBe(5);
  });
});
