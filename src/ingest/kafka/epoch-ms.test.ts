import { describe, expect, it } from 'vitest';
import { toEpochMs } from './epoch-ms.js';

const T = Date.UTC(2024, 2, 1, 10, 0, 0);

describe('toEpochMs', () => {
  it.each([
    [T / 1000 + 0.25, T + 250],
    [T + 250, T + 250],
    [(T + 250) * 1000, T + 250],
    [(T + 250) * 1e6, T + 250],
    [String(T / 1000 + 0.5), T + 500],
    [String(T), T],
  ])('reads epoch number %s by magnitude', (input, expected) => {
    expect(toEpochMs(input)).toBeCloseTo(expected, 3);
  });

  it.each([
    ['2024-03-01T10:00:00Z', T],
    ['2024-03-01T10:00:00.123456+0000', T + 123.456],
    ['2024-03-01T11:00:00.5+01:00', T + 500],
    ['2024-03-01T05:30:00-0430', T],
    ['2024-03-01 10:00:00', T],
  ])('reads ISO 8601 %s', (input, expected) => {
    expect(toEpochMs(input)).toBeCloseTo(expected, 6);
  });

  it.each([
    -1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '',
    'yesterday',
    '2024-13-01T00:00:00Z',
    {},
    null,
    true,
  ])('rejects %j', (input) => {
    expect(toEpochMs(input)).toBeUndefined();
  });
});
