import { describe, expect, it } from 'vitest';
import { DEFAULT_FORECASTER_PARAMS } from '../meta/forecast/holt-winters.js';
import {
  type CountSeries,
  forecastMarkdown,
  forecastSuite,
  METHODS,
  scoreHeldOut,
} from './forecast-suite.js';

const sawtooth = (n: number, period: number, base: number) =>
  Float64Array.from({ length: n }, (_, t) => base + (t % period) * 2);

describe('forecast suite', () => {
  it('scores every method on the ticks after the adaptation window, MASE relative to naive', () => {
    const counts = sawtooth(40, 4, 10);
    const rows = scoreHeldOut(
      { dataset: 'toy', segment: 's', counts },
      { init: DEFAULT_FORECASTER_PARAMS, pull: undefined },
      { seasonTicks: 0, adaptTicks: 8, seasonalPeriods: [4] },
    );
    const by = new Map(rows.map((r) => [r.method, r]));
    expect(by.get(METHODS.naive)!.mase).toBeCloseTo(1);
    expect(by.get(METHODS.naive)!.ticks).toBe(32);
    // The period-4 seasonal naive is exact on a period-4 sawtooth.
    expect(by.get('seasonal naive (4 ticks)')!.mae).toBe(0);
    // Adaptation off: the learned-pull row is the meta-learned init itself.
    expect(by.get(METHODS.adapted)!.mae).toBe(by.get(METHODS.meta)!.mae);
    expect(by.get(METHODS.adapted)!.pull).toBeNull();
    const md = forecastMarkdown(rows);
    expect(md).toContain('| toy | s | 32 | naive (last value) |');
    expect(md).toContain('adaptation off');
  });

  it('never trains on the held-out or test series', () => {
    const series: CountSeries[] = [
      { dataset: 'a', segment: 'x', role: 'loso', counts: sawtooth(120, 5, 20) },
      { dataset: 'b', segment: 'x', role: 'loso', counts: sawtooth(120, 7, 30) },
      { dataset: 'c', segment: 'x', role: 'train', counts: sawtooth(120, 3, 10) },
      { dataset: 'd', segment: 'x', role: 'test', counts: sawtooth(120, 6, 50) },
    ];
    const rows = forecastSuite(series, { adaptTicks: 60, seasonalPeriods: [] });
    expect(new Set(rows.map((r) => r.dataset))).toEqual(new Set(['a', 'b', 'd']));
    const params = (rs: typeof rows, dataset: string) =>
      rs.find((r) => r.dataset === dataset && r.method === METHODS.meta)!.params;
    // Another test series changes no fold's fit; another held-out series does not change its own fold's fit.
    const otherTest = series.map((s) => (s.role === 'test' ? { ...s, counts: sawtooth(120, 2, 500) } : s));
    const again = forecastSuite(otherTest, { adaptTicks: 60, seasonalPeriods: [] });
    expect(params(again, 'a')).toEqual(params(rows, 'a'));
    expect(params(again, 'b')).toEqual(params(rows, 'b'));
    const otherA = series.map((s) => (s.dataset === 'a' ? { ...s, counts: sawtooth(120, 9, 900) } : s));
    expect(params(forecastSuite(otherA, { adaptTicks: 60, seasonalPeriods: [] }), 'a')).toEqual(
      params(rows, 'a'),
    );
  });
});
