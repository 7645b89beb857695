import { describe, expect, it } from 'vitest';
import { RowRing } from './row-ring.js';

describe('RowRing', () => {
  it('keeps the newest rows, oldest first', () => {
    const ring = new RowRing(2, 3);
    for (let i = 0; i < 5; i++) ring.push(Float32Array.from([i, -i]));
    expect(ring.size).toBe(3);
    expect(Array.from(ring.latest())).toEqual([2, -2, 3, -3, 4, -4]);
    expect(Array.from(ring.latest(2))).toEqual([3, -3, 4, -4]);
    ring.clear();
    expect(ring.size).toBe(0);
    expect(ring.latest().length).toBe(0);
  });
});
