/** Serializable state of a {@link KeyTable}: keys from least to most recently used. */
export interface KeyTableState {
  capacity: number;
  keys: number[];
  /** Per key: the acquisition count when it was last moved to the front. */
  bumps: number[];
  /** Acquisitions so far. */
  ops: number;
  evictions: number;
}

const NONE = -1;
const TWO_32 = 4294967296;

/** Home bucket of `key` in a table of `mask + 1` buckets; keys need not be pre-mixed. */
function home(key: number, mask: number): number {
  let h = (key >>> 0) ^ Math.floor(key / TWO_32);
  // MurmurHash3 fmix32: sequential or aligned integer keys still spread over the buckets.
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & mask;
}

/**
 * Bounded map from numeric key to a slot in `[0, capacity)`, the index into the flat typed
 * arrays that hold each key's statistics. When full, the least recently used key loses its
 * slot. Everything lives in typed arrays sized at construction: an open-addressing index
 * (linear probing, load ≤ 1/2, backward-shift deletion as in Knuth TAOCP vol. 3, 6.4
 * algorithm R) and an intrusive doubly linked recency list over the slots. A flood of new
 * keys (spoofed sources) therefore costs O(1) work and no allocation per key, and a fixed
 * amount of memory. (A JS Map with 52-bit double keys was several times slower under churn.)
 *
 * The tables are far larger than CPU caches, so the cost is cache misses: each bucket holds
 * its key beside its slot, each slot's links, key and bump time share one cache line, and a
 * key used again within `capacity / 8` acquisitions keeps its list position instead of being
 * relinked (relinking touches two more random lines). Eviction is therefore LRU to within
 * capacity/8 operations, the "bump at most once per interval" trick of memcached's LRU.
 */
export class KeyTable {
  readonly capacity: number;
  /** Bucket b: key at 2b, slot + 1 at 2b + 1 (0 = empty). */
  readonly #buckets: Float64Array;
  readonly #mask: number;
  /** Slot s: newer neighbour at 4s, older at 4s + 1, last bump (op count) at 4s + 2, key at 4s + 3. */
  readonly #meta: Float64Array;
  readonly #bumpAfter: number;
  #ops = 0;
  #newest = NONE;
  #oldest = NONE;
  #used = 0;
  #size = 0;
  #fresh = false;
  #evictions = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`KeyTable capacity: expected a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    const buckets = 2 ** Math.ceil(Math.log2(capacity * 2));
    this.#buckets = new Float64Array(2 * buckets);
    this.#mask = buckets - 1;
    this.#meta = new Float64Array(4 * capacity);
    this.#bumpAfter = Math.floor(capacity / 8);
  }

  /**
   * Slot for `key`, marking it recently used. A key not present takes a free slot or the
   * least recently used one; {@link fresh} then tells the caller to reset that slot.
   */
  acquire(key: number): number {
    const buckets = this.#buckets;
    const mask = this.#mask;
    const ops = ++this.#ops;
    let bucket = home(key, mask);
    for (let entry = buckets[2 * bucket + 1]; entry !== 0; entry = buckets[2 * bucket + 1]) {
      if (buckets[2 * bucket] === key) {
        const found = entry - 1;
        this.#fresh = false;
        if (found !== this.#newest && ops - this.#meta[4 * found + 2] > this.#bumpAfter) {
          this.#unlink(found);
          this.#pushNewest(found, ops);
        }
        return found;
      }
      bucket = (bucket + 1) & mask;
    }
    let slot: number;
    if (this.#used < this.capacity) {
      slot = this.#used++;
    } else {
      slot = this.#oldest;
      this.#remove(this.#meta[4 * slot + 3]);
      this.#unlink(slot);
      this.#evictions++;
      // The removal may have shifted entries: probe again for the free bucket.
      bucket = home(key, mask);
      while (buckets[2 * bucket + 1] !== 0) bucket = (bucket + 1) & mask;
    }
    buckets[2 * bucket] = key;
    buckets[2 * bucket + 1] = slot + 1;
    this.#meta[4 * slot + 3] = key;
    this.#size++;
    this.#pushNewest(slot, ops);
    this.#fresh = true;
    return slot;
  }

  /** True when the last {@link acquire} handed out a slot that held another key or none. */
  get fresh(): boolean {
    return this.#fresh;
  }

  /** Keys currently held (never more than `capacity`). */
  get size(): number {
    return this.#size;
  }

  /** Keys that lost their slot to a newer one since creation. */
  get evictions(): number {
    return this.#evictions;
  }

  /** Slot of `key` without touching recency, or -1. */
  peek(key: number): number {
    const buckets = this.#buckets;
    const mask = this.#mask;
    for (let b = home(key, mask); buckets[2 * b + 1] !== 0; b = (b + 1) & mask) {
      if (buckets[2 * b] === key) return buckets[2 * b + 1] - 1;
    }
    return NONE;
  }

  /** Keys in recency order (oldest first), for {@link KeyTable.restore}. */
  snapshot(): KeyTableState {
    const keys: number[] = [];
    const bumps: number[] = [];
    for (let s = this.#oldest; s !== NONE; s = this.#meta[4 * s]) {
      keys.push(this.#meta[4 * s + 3]);
      bumps.push(this.#meta[4 * s + 2]);
    }
    return { capacity: this.capacity, keys, bumps, ops: this.#ops, evictions: this.#evictions };
  }

  /**
   * Rebuilds a table from {@link snapshot}. Keys are re-acquired oldest first, so the i-th
   * key of the state gets slot i; callers restoring slot-indexed arrays rely on that.
   */
  static restore(state: KeyTableState): KeyTable {
    if (state.keys.length > state.capacity) {
      throw new RangeError(`KeyTable state: ${state.keys.length} keys exceed capacity ${state.capacity}`);
    }
    const table = new KeyTable(state.capacity);
    state.keys.forEach((key, i) => {
      table.#meta[4 * table.acquire(key) + 2] = state.bumps[i];
    });
    table.#ops = state.ops;
    table.#evictions = state.evictions;
    return table;
  }

  /** Deletes `key` from the index, shifting later entries of its probe run back into the hole. */
  #remove(key: number): void {
    const buckets = this.#buckets;
    const mask = this.#mask;
    let hole = home(key, mask);
    while (buckets[2 * hole] !== key || buckets[2 * hole + 1] === 0) hole = (hole + 1) & mask;
    buckets[2 * hole + 1] = 0;
    this.#size--;
    for (let j = (hole + 1) & mask; buckets[2 * j + 1] !== 0; j = (j + 1) & mask) {
      // An entry may fill the hole only if the hole lies on its probe path (home .. j).
      const h = home(buckets[2 * j], mask);
      if (((j - h) & mask) >= ((j - hole) & mask)) {
        buckets[2 * hole] = buckets[2 * j];
        buckets[2 * hole + 1] = buckets[2 * j + 1];
        buckets[2 * j + 1] = 0;
        hole = j;
      }
    }
  }

  #unlink(slot: number): void {
    const meta = this.#meta;
    const newer = meta[4 * slot];
    const older = meta[4 * slot + 1];
    if (newer === NONE) this.#newest = older;
    else meta[4 * newer + 1] = older;
    if (older === NONE) this.#oldest = newer;
    else meta[4 * older] = newer;
  }

  #pushNewest(slot: number, ops: number): void {
    const meta = this.#meta;
    meta[4 * slot] = NONE;
    meta[4 * slot + 1] = this.#newest;
    meta[4 * slot + 2] = ops;
    if (this.#newest !== NONE) meta[4 * this.#newest] = slot;
    else this.#oldest = slot;
    this.#newest = slot;
  }
}
