/**
 * A fixed-capacity FIFO for network sinks that must never stall the pipeline: when full, the
 * oldest item is dropped to make room and counted. For an alert feed the newest alerts are the
 * ones an analyst still acts on, so losing the oldest is the lesser harm. (The core
 * `BoundedQueue` blocks or drops the newest, which is right between pipeline stages.)
 */
export class DropOldestQueue<T> {
  readonly capacity: number;
  readonly #items: (T | undefined)[];
  #head = 0;
  #size = 0;
  #dropped = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`queue capacity must be an integer >= 1, got ${capacity}`);
    }
    this.capacity = capacity;
    this.#items = new Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Items dropped because the queue was full, since construction. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Append an item; returns the item dropped to make room, if any. */
  push(item: T): T | undefined {
    let evicted: T | undefined;
    if (this.#size === this.capacity) {
      evicted = this.shift();
      this.#dropped++;
    }
    this.#items[(this.#head + this.#size) % this.capacity] = item;
    this.#size++;
    return evicted;
  }

  /**
   * Put items back at the front in their order (a send that failed before reaching the peer).
   * When that overflows, the oldest of all are dropped and counted, as in `push`.
   */
  unshiftAll(items: readonly T[]): void {
    for (let i = items.length - 1; i >= 0; i--) {
      if (this.#size === this.capacity) {
        // The front is the oldest; the item being restored is older still, so it is the one to lose.
        this.#dropped++;
        continue;
      }
      this.#head = (this.#head - 1 + this.capacity) % this.capacity;
      this.#items[this.#head] = items[i];
      this.#size++;
    }
  }

  /** Remove and return the oldest item. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.capacity;
    this.#size--;
    return item;
  }

  /** Remove everything; returns how many items were removed. */
  clear(): number {
    const removed = this.#size;
    while (this.#size > 0) this.shift();
    return removed;
  }
}
