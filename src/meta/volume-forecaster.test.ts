import { describe, expect, it } from 'vitest';
import { ModelError } from '../core/errors.js';
import { tickCounts } from './forecast/count-series.js';
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
    for (let i = 0; i < n; i++) {
      const at = t * 10_000 + (i * 10_000) / n;
      scores.push(f.observe(at, at, `10.0.0.${i % 20}`, `8.8.${i % 7}.1`));
    }
  }
  // Scores of flows early in a tick (too few flows to measure volume) are NaN: no evidence either way.
  return scores.filter(Number.isFinite);
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
      flood.push(f.observe(100 * 10_000 + i, 100 * 10_000 + i, `198.51.100.${i % 250}`, '10.2.0.10'));
    const benign = f.observe(100 * 10_000 + 700, 100 * 10_000 + 700, '10.0.0.3', '8.8.3.1');
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
    expect(feed(a, 1e11, 1, () => 60).length).toBeGreaterThan(0);
  });

  it('abstains on sparse ticks and counts a long flow one tick after its start', () => {
    const f = new VolumeForecaster({ tickSeconds: 10, seasonTicks: 0 });
    feed(f, 0, 20, () => 30);
    const at = 20 * 10_000;
    // The first flows of a tick: too few to say anything about volume.
    expect(f.observe(at, at, 'a', 'b')).toBeNaN();
    // An hour-long flow that started in this tick counts here, not an hour ahead.
    for (let i = 0; i < 30; i++) f.observe(at + i, at + 3_600_000, `h${i}`, 'b');
    expect(f.observe(at + 31, at + 31, 'a', 'b')).not.toBeNaN();
  });

  it('rejects a bad tick length and a snapshot with another season', () => {
    expect(() => new VolumeForecaster({ tickSeconds: 0, seasonTicks: 0 })).toThrow(ModelError);
    const s = new VolumeForecaster({ tickSeconds: 10, seasonTicks: 4 }).snapshot();
    expect(() => new VolumeForecaster({ tickSeconds: 10, seasonTicks: 5 }).restore(s)).toThrow(ModelError);
  });

  it('takes learned parameters, adapts them once on its first ticks, and keeps them in snapshots', () => {
    const random = seededRandom(3);
    const init = { alpha: 0.1, beta: 0, gamma: 0.1, phi: 0.9, residualSmoothing: 0.1 };
    const f = new VolumeForecaster({ tickSeconds: 10, seasonTicks: 0, ...init, adaptation: { ticks: 30 } });
    expect(f.params).toEqual(init);
    // A count that wanders like a random walk: the segment wants a larger α than the shared one.
    let level = 200;
    const walk = () => {
      level = Math.max(30, level + 40 * (random() - 0.5));
      return Math.round(level);
    };
    feed(f, 0, 20, walk);
    expect(f.snapshot().head?.length).toBe(19);
    expect(f.params).toEqual(init);
    feed(f, 20, 20, walk);
    expect(f.params.alpha).toBeGreaterThan(init.alpha);
    expect(f.snapshot().head).toBeUndefined();
    const b = new VolumeForecaster({ tickSeconds: 10, seasonTicks: 0, ...init, adaptation: { ticks: 30 } });
    b.restore(JSON.parse(JSON.stringify(f.snapshot())));
    expect(b.params).toEqual(f.params);
    // A snapshot from before the parameters were stored restores with the constructor's.
    const { params: _p, head: _h, ...old } = f.snapshot();
    const c = new VolumeForecaster({ tickSeconds: 10, seasonTicks: 0 });
    c.restore(old);
    expect(c.params.alpha).toBe(0.2);
    expect(feed(c, 40, 3, () => 50).length).toBeGreaterThan(0);
  });

  it('with open ticks, counts late (idle-exported) flows in their own tick, as tickCounts does', () => {
    // 15 flows a tick, all exported 30 s late, except one prompt (FIN-closed) flow every 6th tick.
    const stream: { start: number; end: number }[] = [];
    for (let t = 3; t < 200; t++) {
      for (let i = 0; i < 15; i++) {
        const at = (t - 3) * 10_000 + i * 600;
        stream.push({ start: at, end: at });
      }
      if (t % 6 === 0) stream.push({ start: t * 10_000, end: t * 10_000 });
    }
    const scores = (openTicks: number) => {
      const f = new VolumeForecaster({ tickSeconds: 10, seasonTicks: 0, openTicks });
      return stream.map((x, i) => f.observe(x.start, x.end, `10.0.0.${i % 3}`, '8.8.8.8'));
    };
    const max = (xs: number[]) => Math.max(...xs.filter(Number.isFinite));
    // One open tick: each prompt flow pulls the next 30 s of late flows into its tick, a false burst.
    expect(max(scores(1).slice(1000))).toBeGreaterThan(2);
    expect(max(scores(4).slice(1000))).toBeLessThan(1);
    expect(Math.max(...tickCounts(stream, 10, 4))).toBeLessThanOrEqual(16);
    expect(Math.max(...tickCounts(stream, 10, 1))).toBeGreaterThan(40);
    // The forecaster closes the same counts: no tick above 16 flows (15 late + at most 1 prompt).
    const f = new VolumeForecaster({ tickSeconds: 10, seasonTicks: 0, openTicks: 4 });
    let most = 0;
    for (const x of stream) {
      f.observe(x.start, x.end, 'a', 'b');
      most = Math.max(most, f.lastTick.observedFlows);
    }
    expect(most).toBeGreaterThanOrEqual(15);
    expect(most).toBeLessThanOrEqual(16);
    // Open ticks survive a snapshot.
    const a = new VolumeForecaster({ tickSeconds: 10, seasonTicks: 0, openTicks: 4 });
    const b = new VolumeForecaster({ tickSeconds: 10, seasonTicks: 0, openTicks: 4 });
    for (const x of stream.slice(0, 500)) a.observe(x.start, x.end, 'a', 'b');
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    const rest = stream.slice(500, 900);
    expect(rest.map((x) => b.observe(x.start, x.end, 'a', 'b'))).toEqual(
      rest.map((x) => a.observe(x.start, x.end, 'a', 'b')),
    );
  });
});
