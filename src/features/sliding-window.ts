import type { SegmentWindowStats } from '../core/detection.js';
import { hashInt } from './key-hash.js';
import { WindowSketches } from './window-sketches.js';

/** One flow as the windows see it; the extractor fills one reused object per flow. */
export interface WindowObservation {
  /** Event time, epoch ms. */
  tMs: number;
  /** Both directions. */
  bytes: number;
  packets: number;
  /** Well-mixed 32-bit hashes of the destination and source address texts. */
  dstHostHash: number;
  srcHostHash: number;
  dstPort: number;
  tcp: boolean;
  /** TCP flow whose initiator sent SYN and no ACK. */
  synOnly: boolean;
  /** No reply packets, or reset. */
  failed: boolean;
}

/** Serializable state of a {@link SlidingWindow} (typed arrays: use structuredClone or node:v8). */
export interface SlidingWindowState {
  windowSeconds: number;
  head: number;
  counts: Float64Array;
  portBins: Uint32Array;
  /** Registers of every bucket's sketches, bucket-major, three sketches per bucket. */
  sketches: Uint8Array;
  droppedLate: number;
}

const BUCKETS = 10;
const FLOWS = 0;
const BYTES = 1;
const PACKETS = 2;
const TCP = 3;
const SYN_ONLY = 4;
const FAILED = 5;
const COLUMNS = 6;
/** Port histogram bins: ports below 512 get a bin each, the rest share 512 hashed bins. */
const PORT_BINS = 1024;
const SKETCH_PRECISION = 11;
/** c·log2(c) for small counts, the hot case of the entropy update. */
const PLOGP = Float64Array.from({ length: 4096 }, (_, c) => (c > 0 ? c * Math.log2(c) : 0));

function plogp(c: number): number {
  return c < 4096 ? PLOGP[c] : c * Math.log2(c);
}

function portBin(port: number): number {
  return port < 512 ? port : 512 + (hashInt(port) >>> 23);
}

/**
 * Counts over a sliding event-time window as a ring of ten buckets of windowSeconds/10.
 * Each bucket keeps its own counters, port histogram and distinct-count sketches; running
 * totals, a port-count entropy sum and "live" sketches (the union of all buckets) make every
 * read O(1). When a bucket expires its counts are subtracted, and the live sketches recompute
 * only the registers where that bucket held the maximum (sketches cannot subtract). An event older than the ring is dropped and counted; an event
 * slightly out of order goes into its own, still-open bucket.
 */
export class SlidingWindow {
  readonly windowSeconds: number;
  readonly #bucketMs: number;
  #head = Number.NEGATIVE_INFINITY;
  readonly #counts = new Float64Array(BUCKETS * COLUMNS);
  readonly #totals = new Float64Array(COLUMNS);
  readonly #portBins = new Uint32Array(BUCKETS * PORT_BINS);
  readonly #portTotals = new Uint32Array(PORT_BINS);
  /**
   * Per bucket, the port bins it has counted into (`#binCounts[b]` of them, from b·PORT_BINS):
   * most buckets of a short window hold a few flows, so expiring one walks those bins instead
   * of all 1,024.
   */
  readonly #binLists = new Uint16Array(BUCKETS * PORT_BINS);
  readonly #binCounts = new Uint16Array(BUCKETS);
  /** Σ c·log2(c) over `#portTotals`, so entropy = log2(N) − Σ/N (Shannon, in bits). */
  #portPlogp = 0;
  /** Per bucket: distinct destination hosts (0), destination ports (1) and source hosts (2). */
  readonly #sketches = new WindowSketches(BUCKETS, 3, SKETCH_PRECISION);
  #droppedLate = 0;

  constructor(windowSeconds: number) {
    this.windowSeconds = windowSeconds;
    this.#bucketMs = (windowSeconds * 1000) / BUCKETS;
  }

  /** Counts one flow in the bucket of its event time (sliding forward first if it is newer). */
  add(o: WindowObservation): void {
    const index = Math.floor(o.tMs / this.#bucketMs);
    if (index > this.#head) this.advance(o.tMs);
    else if (index <= this.#head - BUCKETS) {
      this.#droppedLate++;
      return;
    }
    const b = ((index % BUCKETS) + BUCKETS) % BUCKETS;
    const row = b * COLUMNS;
    const c = this.#counts;
    const t = this.#totals;
    c[row + FLOWS]++;
    t[FLOWS]++;
    c[row + BYTES] += o.bytes;
    t[BYTES] += o.bytes;
    c[row + PACKETS] += o.packets;
    t[PACKETS] += o.packets;
    if (o.tcp) {
      c[row + TCP]++;
      t[TCP]++;
    }
    if (o.synOnly) {
      c[row + SYN_ONLY]++;
      t[SYN_ONLY]++;
    }
    if (o.failed) {
      c[row + FAILED]++;
      t[FAILED]++;
    }
    const sketches = this.#sketches;
    sketches.add(b, 0, o.dstHostHash);
    sketches.add(b, 1, hashInt(o.dstPort));
    sketches.add(b, 2, o.srcHostHash);
    const bin = portBin(o.dstPort);
    const before = this.#portTotals[bin];
    this.#portTotals[bin] = before + 1;
    if (this.#portBins[b * PORT_BINS + bin]++ === 0)
      this.#binLists[b * PORT_BINS + this.#binCounts[b]++] = bin;
    this.#portPlogp += plogp(before + 1) - plogp(before);
  }

  /** Slides the window so its right edge is at `nowMs`; an earlier time changes nothing. */
  advance(nowMs: number): void {
    const index = Math.floor(nowMs / this.#bucketMs);
    if (!(index > this.#head)) return;
    const steps = index - this.#head;
    this.#head = index;
    if (steps >= BUCKETS) {
      for (let b = 0; b < BUCKETS; b++) this.#clearBucket(b);
      this.#sketches.clear();
      this.#portPlogp = 0;
      return;
    }
    // The new buckets head+1..index take the ring slots of the ones that just expired.
    for (let k = 0; k < steps; k++) this.#expire((((index - k) % BUCKETS) + BUCKETS) % BUCKETS);
  }

  /** Flows in the window; the getters below read the window as of the last add or advance. */
  get flows(): number {
    return this.#totals[FLOWS];
  }
  get bytes(): number {
    return this.#totals[BYTES];
  }
  get packets(): number {
    return this.#totals[PACKETS];
  }
  get distinctDstHosts(): number {
    return this.#sketches.estimate(0);
  }
  get distinctDstPorts(): number {
    return this.#sketches.estimate(1);
  }
  get distinctSrcHosts(): number {
    return this.#sketches.estimate(2);
  }
  get synOnlyRatio(): number {
    const tcp = this.#totals[TCP];
    return tcp > 0 ? this.#totals[SYN_ONLY] / tcp : 0;
  }
  get failedRatio(): number {
    const flows = this.#totals[FLOWS];
    return flows > 0 ? this.#totals[FAILED] / flows : 0;
  }
  /** Shannon entropy (bits) of destination ports over the window. */
  get dstPortEntropy(): number {
    const n = this.#totals[FLOWS];
    if (!(n > 0)) return 0;
    const h = Math.log2(n) - this.#portPlogp / n;
    return h > 1e-12 ? h : 0;
  }
  /** Events older than the ring, dropped. */
  get droppedLate(): number {
    return this.#droppedLate;
  }

  /** Slides to `nowMs` and returns the window's stats. */
  stats(nowMs: number): SegmentWindowStats {
    this.advance(nowMs);
    return {
      windowSeconds: this.windowSeconds,
      endMs: nowMs,
      flows: this.flows,
      bytes: this.bytes,
      packets: this.packets,
      distinctDstHosts: this.distinctDstHosts,
      distinctDstPorts: this.distinctDstPorts,
      distinctSrcHosts: this.distinctSrcHosts,
      synOnlyRatio: this.synOnlyRatio,
      failedRatio: this.failedRatio,
      dstPortEntropy: this.dstPortEntropy,
    };
  }

  /** Copies the buckets (totals and live sketches are derived again on restore). */
  snapshot(): SlidingWindowState {
    return {
      windowSeconds: this.windowSeconds,
      head: this.#head,
      counts: this.#counts.slice(),
      portBins: this.#portBins.slice(),
      sketches: this.#sketches.registers(),
      droppedLate: this.#droppedLate,
    };
  }

  /** Rebuilds a window from {@link snapshot}. */
  static restore(state: SlidingWindowState): SlidingWindow {
    const window = new SlidingWindow(state.windowSeconds);
    const size = 1 << SKETCH_PRECISION;
    if (state.counts.length !== window.#counts.length || state.sketches.length !== BUCKETS * 3 * size) {
      throw new RangeError(`SlidingWindow state for ${state.windowSeconds} s: array sizes do not match`);
    }
    window.#head = state.head;
    window.#counts.set(state.counts);
    window.#portBins.set(state.portBins);
    window.#sketches.loadRegisters(state.sketches);
    window.#droppedLate = state.droppedLate;
    for (let b = 0; b < BUCKETS; b++) {
      for (let col = 0; col < COLUMNS; col++) window.#totals[col] += state.counts[b * COLUMNS + col];
      for (let bin = 0; bin < PORT_BINS; bin++) {
        const n = state.portBins[b * PORT_BINS + bin];
        if (n === 0) continue;
        window.#portTotals[bin] += n;
        window.#binLists[b * PORT_BINS + window.#binCounts[b]++] = bin;
      }
    }
    window.#rebuild();
    return window;
  }

  /** Removes bucket `b` from the totals, the entropy sum and the live sketches, then empties it. */
  #expire(b: number): void {
    if (this.#counts[b * COLUMNS + FLOWS] === 0) return;
    const base = b * PORT_BINS;
    for (let i = 0; i < this.#binCounts[b]; i++) {
      const bin = this.#binLists[base + i];
      const c = this.#portTotals[bin];
      this.#portPlogp += plogp(c - this.#portBins[base + bin]) - plogp(c);
    }
    this.#sketches.expire(b);
    this.#clearBucket(b);
    // Rounding in the running entropy sum must not outlive the flows it came from.
    if (this.#totals[FLOWS] === 0) this.#portPlogp = 0;
  }

  /** Empties bucket `b`'s counts and port bins, subtracting them from the totals (not its sketches). */
  #clearBucket(b: number): void {
    const row = b * COLUMNS;
    if (this.#counts[row + FLOWS] === 0) return;
    for (let col = 0; col < COLUMNS; col++) {
      this.#totals[col] -= this.#counts[row + col];
      this.#counts[row + col] = 0;
    }
    const base = b * PORT_BINS;
    for (let i = 0; i < this.#binCounts[b]; i++) {
      const bin = this.#binLists[base + i];
      this.#portTotals[bin] -= this.#portBins[base + bin];
      this.#portBins[base + bin] = 0;
    }
    this.#binCounts[b] = 0;
  }

  /** Recomputes the entropy sum from the buckets (after a restore). */
  #rebuild(): void {
    let sum = 0;
    for (let bin = 0; bin < PORT_BINS; bin++) sum += plogp(this.#portTotals[bin]);
    this.#portPlogp = sum;
  }
}
