import { describe, expect, it } from 'vitest';
import { isLogWorthy } from './log-worthy.js';

describe('isLogWorthy', () => {
  it('is true at powers of ten only', () => {
    const worthy = Array.from({ length: 1200 }, (_, i) => i).filter(isLogWorthy);
    expect(worthy).toEqual([1, 10, 100, 1000]);
    expect(isLogWorthy(1.5)).toBe(false);
  });
});
