import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../core/flow-record.js';
import { LateRecords } from './late-records.js';

const at = (end: number, start = end): FlowRecord => ({ start, end }) as FlowRecord;

describe('LateRecords', () => {
  it('counts records older than the newest event time minus the allowed lateness', () => {
    const late = new LateRecords(10);
    expect(late.count([at(100_000), at(95_000), at(90_000), at(89_999)])).toBe(1);
    // The watermark moves with newer records and stays where it was across batches.
    expect(late.count([at(200_000), at(190_001), at(189_000)])).toBe(1);
    expect(late.count([at(100_000)])).toBe(1);
  });

  it('uses the start when the end is unknown', () => {
    const late = new LateRecords(1);
    expect(late.count([at(Number.NaN, 50_000), at(Number.NaN, 48_000)])).toBe(1);
  });
});
