import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './bounded-queue.js';

describe('BoundedQueue', () => {
  it('delivers items in order and ends after close', async () => {
    const q = new BoundedQueue<number>(4);
    await q.push(1);
    await q.push(2);
    q.close();
    expect(await q.pop()).toBe(1);
    expect(await q.pop()).toBe(2);
    expect(await q.pop()).toBeUndefined();
  });

  it('blocks a producer while full and reports pressure', async () => {
    const pressure: boolean[] = [];
    const q = new BoundedQueue<number>(2, { onPressure: (full) => pressure.push(full) });
    await q.push(1);
    await q.push(2);
    let third = false;
    const pending = q.push(3).then(() => {
      third = true;
    });
    await Promise.resolve();
    expect(third).toBe(false);
    expect(pressure).toEqual([true]);
    expect(await q.pop()).toBe(1);
    await pending;
    expect(third).toBe(true);
    expect(await q.pop()).toBe(2);
    expect(await q.pop()).toBe(3);
    expect(pressure).toEqual([true, false, true, false]);
  });

  it('drops and counts with the drop policy', async () => {
    const q = new BoundedQueue<number>(1, { onFull: 'drop' });
    expect(await q.push(1)).toBe(true);
    expect(await q.push(2)).toBe(false);
    expect(q.dropped).toBe(1);
  });

  it('hands an item straight to a waiting consumer', async () => {
    const q = new BoundedQueue<string>(1);
    const waiting = q.pop();
    await q.push('a');
    expect(await waiting).toBe('a');
    expect(q.size).toBe(0);
  });
});
