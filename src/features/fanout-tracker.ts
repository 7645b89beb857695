import { hashInt } from './key-hash.js';

/** Serializable rows of a {@link FanoutTracker}, one per listed slot, in list order. */
export interface FanoutTrackerState {
  windowSeconds: number;
  epochs: Float64Array;
  bits: Uint32Array;
}

/** Bits per bitmap: 256 bits (32 bytes) per set and epoch. */
const BITS = 256;
const WORDS = BITS / 32;
/** Per slot: current hosts, current ports, previous hosts, previous ports. */
const SLOT_WORDS = 4 * WORDS;
/** Linear-counting estimate −m·ln(V/m) for V empty bits; a full bitmap reads as m·ln m. */
const ESTIMATES = Float64Array.from({ length: BITS + 1 }, (_, v) =>
  v === 0 ? BITS * Math.log(BITS) : -BITS * Math.log(v / BITS),
);

function popcount(x: number): number {
  let y = x - ((x >>> 1) & 0x55555555);
  y = (y & 0x33333333) + ((y >>> 2) & 0x33333333);
  y = (y + (y >>> 4)) & 0x0f0f0f0f;
  return Math.imul(y, 0x01010101) >>> 24;
}

/**
 * Per-source fan-out over a short window: distinct destination hosts and distinct
 * destination ports, each as a 256-bit linear-counting bitmap (Whang et al., ACM TODS 1990),
 * accurate for the small counts that matter and saturating near 1,400. A horizontal scan
 * raises the host count, a vertical scan the port count. The window is two half-window
 * epochs: the estimate covers the current and previous epoch, i.e. between half and all of
 * `windowSeconds` of history, so counts fall once a source stops.
 * Memory: 128 bytes per slot, indexed by the source host's KeyTable slot.
 */
export class FanoutTracker {
  readonly windowSeconds: number;
  readonly #epochMs: number;
  readonly #epochs: Float64Array;
  readonly #bits: Uint32Array;
  #hosts = 0;
  #ports = 0;

  constructor(capacity: number, windowSeconds: number) {
    this.windowSeconds = windowSeconds;
    this.#epochMs = (windowSeconds * 1000) / 2;
    this.#epochs = new Float64Array(capacity).fill(Number.NEGATIVE_INFINITY);
    this.#bits = new Uint32Array(capacity * SLOT_WORDS);
  }

  /** Forgets a slot (a new source host took it). */
  reset(slot: number): void {
    this.#epochs[slot] = Number.NEGATIVE_INFINITY;
    this.#bits.fill(0, slot * SLOT_WORDS, (slot + 1) * SLOT_WORDS);
  }

  /** Records one flow from the slot's source to `dstHostHash` (32-bit hash) on `dstPort`. */
  update(slot: number, tMs: number, dstHostHash: number, dstPort: number): void {
    const bits = this.#bits;
    const base = slot * SLOT_WORDS;
    const epoch = Math.floor(tMs / this.#epochMs);
    const stored = this.#epochs[slot];
    if (epoch > stored) {
      if (epoch === stored + 1) bits.copyWithin(base + 2 * WORDS, base, base + 2 * WORDS);
      else bits.fill(0, base + 2 * WORDS, base + SLOT_WORDS);
      bits.fill(0, base, base + 2 * WORDS);
      this.#epochs[slot] = epoch;
    }
    // Late flows (older epoch) count in the current epoch: slightly longer memory, never lost.
    const h = dstHostHash >>> 24;
    bits[base + (h >>> 5)] |= 1 << (h & 31);
    const p = hashInt(dstPort) >>> 24;
    bits[base + WORDS + (p >>> 5)] |= 1 << (p & 31);
    let hostBits = 0;
    let portBits = 0;
    for (let w = 0; w < WORDS; w++) {
      hostBits += popcount(bits[base + w] | bits[base + 2 * WORDS + w]);
      portBits += popcount(bits[base + WORDS + w] | bits[base + 3 * WORDS + w]);
    }
    this.#hosts = ESTIMATES[BITS - hostBits];
    this.#ports = ESTIMATES[BITS - portBits];
  }

  /** Distinct destination hosts of the source of the last update. */
  get distinctHosts(): number {
    return this.#hosts;
  }

  /** Distinct destination ports of the source of the last update. */
  get distinctPorts(): number {
    return this.#ports;
  }

  /** Copies the rows of `slots` (in that order). */
  snapshot(slots: ArrayLike<number>): FanoutTrackerState {
    const epochs = new Float64Array(slots.length);
    const bits = new Uint32Array(slots.length * SLOT_WORDS);
    for (let k = 0; k < slots.length; k++) {
      epochs[k] = this.#epochs[slots[k]];
      bits.set(this.#bits.subarray(slots[k] * SLOT_WORDS, (slots[k] + 1) * SLOT_WORDS), k * SLOT_WORDS);
    }
    return { windowSeconds: this.windowSeconds, epochs, bits };
  }

  /** Builds a tracker of `capacity` slots whose slot i holds row i of `state`. */
  static restore(state: FanoutTrackerState, capacity: number): FanoutTracker {
    if (state.epochs.length > capacity || state.bits.length !== state.epochs.length * SLOT_WORDS) {
      throw new RangeError(`FanoutTracker state: ${state.epochs.length} rows do not fit ${capacity} slots`);
    }
    const tracker = new FanoutTracker(capacity, state.windowSeconds);
    tracker.#epochs.set(state.epochs);
    tracker.#bits.set(state.bits);
    return tracker;
  }
}
