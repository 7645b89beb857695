/**
 * A FIFO with a fixed capacity between two pipeline stages.
 *
 * `push` resolves once the item is queued: immediately while there is room, otherwise when a
 * consumer frees a slot (the default "block" policy) — or, with `onFull: 'drop'`, it returns
 * false at once and counts the drop. `onPressure` tells the producer side (e.g. the Kafka
 * source pausing partitions) when the queue becomes full and when it has drained below half.
 */
export type FullPolicy = 'block' | 'drop';

export class BoundedQueue<T> {
  readonly capacity: number;
  readonly #policy: FullPolicy;
  #items: (T | undefined)[];
  #head = 0;
  #size = 0;
  #dropped = 0;
  #closed = false;
  #waitingPush: (() => void)[] = [];
  #waitingPop: ((item: T | undefined) => void)[] = [];
  #full = false;
  readonly #onPressure: ((full: boolean) => void) | undefined;

  constructor(capacity: number, options: { onFull?: FullPolicy; onPressure?: (full: boolean) => void } = {}) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be an integer >= 1`);
    this.capacity = capacity;
    this.#items = new Array(capacity);
    this.#policy = options.onFull ?? 'block';
    this.#onPressure = options.onPressure;
  }

  get size(): number {
    return this.#size;
  }

  get dropped(): number {
    return this.#dropped;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Queue an item. Resolves true when queued, false when dropped or the queue is closed. */
  async push(item: T): Promise<boolean> {
    while (this.#size === this.capacity && !this.#closed) {
      if (this.#policy === 'drop') {
        this.#dropped++;
        return false;
      }
      await new Promise<void>((resolve) => this.#waitingPush.push(resolve));
    }
    if (this.#closed) return false;
    const waiter = this.#waitingPop.shift();
    if (waiter) {
      waiter(item);
      return true;
    }
    this.#items[(this.#head + this.#size) % this.capacity] = item;
    this.#size++;
    if (this.#size === this.capacity && !this.#full) {
      this.#full = true;
      this.#onPressure?.(true);
    }
    return true;
  }

  /** Next item, waiting for one; `undefined` once the queue is closed and empty. */
  async pop(): Promise<T | undefined> {
    if (this.#size === 0) {
      if (this.#closed) return undefined;
      return new Promise<T | undefined>((resolve) => this.#waitingPop.push(resolve));
    }
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.capacity;
    this.#size--;
    if (this.#full && this.#size <= this.capacity / 2) {
      this.#full = false;
      this.#onPressure?.(false);
    }
    this.#waitingPush.shift()?.();
    return item;
  }

  /** Stop accepting items; consumers drain what is left, then get `undefined`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const resolve of this.#waitingPush.splice(0)) resolve();
    if (this.#size === 0) for (const resolve of this.#waitingPop.splice(0)) resolve(undefined);
  }
}
