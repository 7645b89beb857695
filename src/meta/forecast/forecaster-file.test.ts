import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../core/errors.js';
import { VolumeForecaster } from '../volume-forecaster.js';
import { tickCounts } from './count-series.js';
import {
  FORECASTER_FILE,
  forecasterOverride,
  loadForecasterParams,
  saveForecasterParams,
} from './forecaster-file.js';
import { DEFAULT_FORECASTER_PARAMS, oneStepForecasts } from './holt-winters.js';

const training = { series: 3, ticks: 900, seed: 1, defaultMase: 1.2, fittedMase: 0.9 };

describe('forecaster.json', () => {
  it('round-trips and is absent-tolerant', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tw-fc-'));
    expect(await loadForecasterParams(dir)).toBeUndefined();
    const params = { ...DEFAULT_FORECASTER_PARAMS, alpha: 0.4 };
    await saveForecasterParams(dir, {
      params,
      adaptation: { ticks: 60, steps: 5, pull: 2 },
      tickSeconds: 10,
      seasonTicks: 0,
      training,
    });
    const loaded = await loadForecasterParams(dir, { tickSeconds: 10 });
    expect(loaded?.params).toEqual(params);
    expect(loaded?.version).toBe(1);
    expect(loaded?.adaptation).toEqual({ ticks: 60, steps: 5, pull: 2 });
    // What the detector spreads into the forecaster's options.
    const options = { tickSeconds: 10, seasonTicks: 0, ...forecasterOverride(loaded) };
    expect(new VolumeForecaster(options).params).toEqual(params);
    expect(options.adaptation).toEqual({ ticks: 60, steps: 5, pull: 2 });
    expect(forecasterOverride(undefined)).toEqual({});
    await expect(loadForecasterParams(dir, { tickSeconds: 5 })).rejects.toThrow(ModelError);
  });

  it('rejects another version and out-of-bounds parameters', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tw-fc-'));
    const file = path.join(dir, FORECASTER_FILE);
    const body = { format: 'tapwatch-forecaster', version: 1, tickSeconds: 10, seasonTicks: 0, training };
    await writeFile(file, JSON.stringify({ ...body, version: 2, params: DEFAULT_FORECASTER_PARAMS }));
    await expect(loadForecasterParams(dir)).rejects.toThrow(/version/);
    await writeFile(file, JSON.stringify({ ...body, params: { ...DEFAULT_FORECASTER_PARAMS, phi: 3 } }));
    await expect(loadForecasterParams(dir)).rejects.toThrow(/phi/);
    await writeFile(file, '{');
    await expect(loadForecasterParams(dir)).rejects.toThrow(ModelError);
  });
});

describe('count series and the daemon forecaster agree', () => {
  it('counts flows per tick as VolumeForecaster does and forecasts the same', () => {
    const flows: { start: number; end: number }[] = [];
    for (let t = 0; t < 40; t++) {
      const n = 25 + ((t * 7) % 11) + (t === 30 ? 60 : 0);
      for (let i = 0; i < n; i++) flows.push({ start: t * 10_000 + i, end: t * 10_000 + i * 100 });
      if (t === 20) t += 3; // three empty ticks
    }
    flows.push({ start: 10_000, end: 10_000 }); // late: counts in the open tick
    flows.push({ start: 45 * 10_000, end: 45 * 10_000 });
    const counts = tickCounts(flows, 10);
    expect(counts.length).toBe(46);
    expect(counts[21]).toBe(0);
    const params = { alpha: 0.5, beta: 0.1, gamma: 0.1, phi: 0.95, residualSmoothing: 0.1 };
    const f = new VolumeForecaster({ tickSeconds: 10, seasonTicks: 0, ...params });
    const expected = oneStepForecasts(counts, params).forecasts;
    let closed = 0;
    for (const flow of flows) {
      f.observe(flow.start, flow.end, 'a', 'b');
      const ticks = f.snapshot().closedTicks;
      if (ticks > 1 && ticks !== closed)
        expect(f.lastTick.forecastFlows).toBeCloseTo(expected[ticks - 1]!, 9);
      closed = ticks;
    }
    expect(closed).toBe(45);
  });
});
