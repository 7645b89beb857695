import { describe, expect, it } from 'vitest';
import { featuresSchema } from '../config/schema.js';
import { FANOUT_WINDOW_SECONDS } from '../features/extract-features.js';
import { HostStatistics } from '../features/host-statistics.js';
import { hashText } from '../features/key-hash.js';
import { parseState, stringifyState } from './state-json.js';

describe('state JSON', () => {
  it('round-trips typed arrays exactly, nested in plain data', () => {
    const state = {
      windows: [{ counts: Float64Array.from([0.1, 1e300, -0]), sketches: Uint8Array.from([1, 2, 255]) }],
      bins: Uint32Array.from([4_294_967_295]),
      weights: [1.5, 2],
    };
    const back = parseState<typeof state>(stringifyState(state));
    expect(back.windows[0]!.counts).toEqual(state.windows[0]!.counts);
    expect(back.windows[0]!.counts).toBeInstanceOf(Float64Array);
    expect(back.windows[0]!.sketches).toEqual(state.windows[0]!.sketches);
    expect(back.bins).toEqual(state.bins);
    expect(back.weights).toEqual([1.5, 2]);
  });

  it('reads a view over part of a larger buffer', () => {
    const whole = Float32Array.from([1, 2, 3, 4]);
    const part = new Float32Array(whole.buffer, 4, 2);
    expect(parseState<{ p: Float32Array }>(stringifyState({ p: part })).p).toEqual(Float32Array.from([2, 3]));
  });

  it('keeps a busy segment’s host statistics bounded and exact in checkpoint text', () => {
    const { lambdas } = featuresSchema.parse({});
    const stats = new HostStatistics(lambdas, 100_000, FANOUT_WINDOW_SECONDS);
    const id = stats.segmentId('lan');
    // 20,000 sources, each talking to 3 servers on 2 ports: far more keys than a checkpoint holds.
    for (let i = 0; i < 60_000; i++) {
      const src = hashText(`10.${(i >> 8) & 255}.${i & 255}.${i % 3}`);
      stats.update(1e12 + i * 10, src, hashText(`10.1.0.${i % 3}`), 40000 + (i % 2), 443, 6, 500, 900, id);
    }
    const state = stats.snapshotSegments(['lan']).get('lan')!;
    const text = stringifyState(state);
    expect(text.length).toBeLessThan(270_000);
    expect(parseState(text)).toEqual(state);
  });
});
