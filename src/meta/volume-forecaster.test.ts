import { describe, expect, it } from 'vitest';
import { ModelError } from '../core/errors.js';
import { seededRandom } from './seeded-random.js';
import { VolumeForecaster } from './volume-forecaster.js';

/** `perTick` flows in each of `ticks` 10 s ticks from `fromTick`, spread over hosts; returns the last score. */
function feed(
  f: VolumeForecaster,
  fromTick: number,
  ticks: number,
  perTick: (tick: number) => number,
): number[] {
  const scores: number[] = [];
  for (let t = fromTick; t < fromTick + ticks; t++) {
    const n = perTick(t);
    for (let i = 0; i < n; i++)
      scores.push(f.observe(t * 10_000 + (i * 10_000) / n, `10.0.0.${i % 20}`, `8.8.${i % 7}.1`));
  }
  return scores;
}

describe('VolumeForecaster', () => {
  it('forecasts a steady count and flags a concentrated flood, not the benign flows beside it', () => {
    const random = seededRandom(1);
    const f = new VolumeForecaster({ tickSeconds: 10, seasonTicks: 0 });
    const steady = feed(f, 0, 100, () => 40 + Math.floor(10 * random()));
    expect(Math.max(...steady.slice(-500))).toBeLessThan(3);
    expect(f.lastTick.forecastFlows).toBeGreaterThan(35);
    expect(f.lastTick.forecastFlows).toBeLessThan(55);
    // A flood toward one victim on top of the usual traffic.
    const flood: number[] = [];
    for (let i = 0; i < 600; i++)
      flood.push(f.observe(100 * 10_000 + i, `198.51.100.${i % 250}`, '10.2.0.10'));
    const benign = f.observe(100 * 10_000 + 700, '10.0.0.3', '8.8.3.1');
    expect(flood.at(-1)).toBeGreaterThan(20);
    expect(benign).toBeLessThan(flood.at(-1)! / 10);
  });

  it('follows a daily-like season when configured', () => {
    const f = new VolumeForecaster({ tickSeconds: 10, seasonTicks: 20 });
    const count = (t: number) => (t % 20 < 10 ? 10 : 100);
    feed(f, 0, 400, count);
    const last = feed(f, 400, 20, count);
    expect(Math.max(...last)).toBeLessThan(3);
  });

  it('is driven by event time only and round-trips through a snapshot', () => {
    const a = new VolumeForecaster({ tickSeconds: 10, seasonTicks: 0 });
    feed(a, 0, 30, (t) => 20 + (t % 3));
    const b = new VolumeForecaster({ tickSeconds: 10, seasonTicks: 0 });
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    expect(feed(b, 30, 5, () => 60)).toEqual(feed(a, 30, 5, () => 60));
    // A long gap is jumped over without replaying every empty tick.
    expect(Number.isFinite(a.observe(1e15, 'x', 'y'))).toBe(true);
  });

  it('rejects a bad tick length and a snapshot with another season', () => {
    expect(() => new VolumeForecaster({ tickSeconds: 0, seasonTicks: 0 })).toThrow(ModelError);
    const s = new VolumeForecaster({ tickSeconds: 10, seasonTicks: 4 }).snapshot();
    expect(() => new VolumeForecaster({ tickSeconds: 10, seasonTicks: 5 }).restore(s)).toThrow(ModelError);
  });
});
