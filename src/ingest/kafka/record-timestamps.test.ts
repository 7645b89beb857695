import { describe, expect, it } from 'vitest';
import { BatchTimestamps, RecordTimestamps } from './record-timestamps.js';

const at = (origin: string, partition: number, offset: string) => ({
  format: 'zeek',
  origin,
  partition,
  offset,
});

describe('RecordTimestamps', () => {
  it('forgets a batch that was never handed over', () => {
    const store = new RecordTimestamps();
    new BatchTimestamps().add(at('flows', 0, '7'), 1000);
    expect(store.get('flows', 0, '7')).toBeUndefined();
  });

  it('finds in-flight flows by topic, partition and offset until their batch ends', () => {
    const store = new RecordTimestamps();
    const first = new BatchTimestamps();
    store.begin(first);
    first.add(at('flows', 0, '7'), 1000);
    first.add(at('flows', 1, '7'), 1001);
    first.add(at('other', 0, '7'), 1002);
    const second = new BatchTimestamps();
    store.begin(second);
    second.add(at('flows', 0, '8'), 2000);
    expect(store.get('flows', 0, '7')).toBe(1000);
    expect(store.get('flows', 1, '7')).toBe(1001);
    expect(store.get('other', 0, '7')).toBe(1002);
    expect(store.get('flows', 0, '8')).toBe(2000);
    expect(store.get('flows', 2, '7')).toBeUndefined();
    store.end(first);
    expect(store.get('flows', 0, '7')).toBeUndefined();
    expect(store.get('flows', 0, '8')).toBe(2000);
  });

  it('prefers the newest batch when a record is delivered again', () => {
    const store = new RecordTimestamps();
    for (const ms of [1000, 3000]) {
      const batch = new BatchTimestamps();
      batch.add(at('flows', 0, '7'), ms);
      store.begin(batch);
    }
    expect(store.get('flows', 0, '7')).toBe(3000);
  });
});

describe('BatchTimestamps', () => {
  const key = ['flows', '0'].join('\u0000');

  it('finds every offset of a partition across digit-count boundaries', () => {
    const batch = new BatchTimestamps();
    const offsets = [8, 9, 10, 11, 99, 100, 101, 999, 1000, 123_456_789];
    for (const o of offsets) batch.add(at('flows', 0, String(o)), o * 10);
    for (const o of offsets) expect(batch.get(key, String(o))).toBe(o * 10);
    for (const o of [0, 7, 12, 98, 102, 1001]) expect(batch.get(key, String(o))).toBeUndefined();
  });

  it('keeps the last timestamp of an offset, in order or not', () => {
    const batch = new BatchTimestamps();
    // Two flows of one message, then positions out of order (re-keyed input after a redelivery).
    batch.add(at('flows', 0, '5'), 1);
    batch.add(at('flows', 0, '5'), 2);
    expect(batch.get(key, '5')).toBe(2);
    batch.add(at('flows', 0, '20'), 3);
    batch.add(at('flows', 0, '3'), 4);
    batch.add(at('flows', 0, '20'), 5);
    expect([batch.get(key, '5'), batch.get(key, '20'), batch.get(key, '3')]).toEqual([2, 5, 4]);
    expect(batch.get(key, '4')).toBeUndefined();
  });
});
