import { describe, expect, it } from 'vitest';
import { DropOldestQueue } from './drop-oldest-queue.js';

describe('DropOldestQueue', () => {
  it('keeps FIFO order and drops the oldest when full', () => {
    const queue = new DropOldestQueue<number>(3);
    for (let i = 1; i <= 5; i++) queue.push(i);
    expect(queue.dropped).toBe(2);
    expect([queue.shift(), queue.shift(), queue.shift(), queue.shift()]).toEqual([3, 4, 5, undefined]);
  });

  it('returns the evicted item from push', () => {
    const queue = new DropOldestQueue<string>(1);
    expect(queue.push('a')).toBeUndefined();
    expect(queue.push('b')).toBe('a');
  });

  it('puts failed items back in front, in order, dropping what no longer fits', () => {
    const queue = new DropOldestQueue<number>(4);
    queue.push(10);
    queue.push(11);
    queue.unshiftAll([7, 8, 9]);
    expect(queue.dropped).toBe(1);
    const out: (number | undefined)[] = [];
    while (queue.size > 0) out.push(queue.shift());
    expect(out).toEqual([8, 9, 10, 11]);
  });

  it('wraps around many times and clears', () => {
    const queue = new DropOldestQueue<number>(5);
    for (let i = 0; i < 1000; i++) {
      queue.push(i);
      if (i % 3 === 0) queue.shift();
    }
    // The last push (999) was followed by a shift, so four of the five newest remain.
    expect(queue.size).toBe(4);
    expect(queue.shift()).toBe(996);
    expect(queue.clear()).toBe(3);
    expect(queue.size).toBe(0);
    expect(() => new DropOldestQueue(0)).toThrow(RangeError);
  });
});
