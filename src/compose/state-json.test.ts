import { describe, expect, it } from 'vitest';
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
});
