import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff.js';

describe('backoffDelayMs', () => {
  const options = { initialDelayMs: 100, maxDelayMs: 1000 };

  it('doubles per attempt and stays within half..full of the nominal delay', () => {
    expect(backoffDelayMs(0, { ...options, random: () => 0 })).toBe(50);
    expect(backoffDelayMs(0, { ...options, random: () => 0.999999 })).toBe(100);
    expect(backoffDelayMs(2, { ...options, random: () => 0.5 })).toBe(300);
  });

  it('caps at maxDelayMs however many attempts failed', () => {
    expect(backoffDelayMs(10, { ...options, random: () => 0.999999 })).toBe(1000);
    expect(backoffDelayMs(10_000, { ...options, random: () => 0 })).toBe(500);
  });
});
