import { DampedStats, type DampedStatsState } from './damped-stats.js';
import { FanoutTracker, type FanoutTrackerState } from './fanout-tracker.js';
import {
  checkSegmentState,
  fromKeyRows,
  type KeyRows,
  mergeRows,
  NO_SEGMENT,
  pickRows,
  segmentRows,
  TABLES,
  type TableName,
  toKeyRows,
} from './host-segment-rows.js';
import { combineKeys } from './key-hash.js';
import { KeyTable, type KeyTableState } from './key-table.js';

/** Serializable state of {@link HostStatistics} (typed arrays: structuredClone or node:v8). */
export interface HostStatisticsState {
  lambdas: number[];
  capacity: number;
  hosts: { table: KeyTableState; bytes: DampedStatsState; fanout: FanoutTrackerState };
  pairs: { table: KeyTableState; bytes: DampedStatsState };
  sockets: { table: KeyTableState; flows: DampedStatsState };
  /** Per key of each table (in table order), the index in `names` of its segment, −1 = none. Optional: older states lack it. */
  segments?: { names: string[]; hosts: Int32Array; pairs: Int32Array; sockets: Int32Array };
}

/**
 * Observations shorter than this (ms) extrapolate the weights as if they had lasted this long:
 * the flows of a segment's first second stand for a second's rate.
 */
const MIN_OBSERVED_MS = 1000;

/**
 * Half-lives (1/λ s) of the slowest decay after which a segment's weights are no longer
 * extrapolated: the unobserved share of its memory, 2^-24, is below float32 resolution.
 */
const SETTLED_HALF_LIVES = 24;

/**
 * One segment's keys of each table with their rows, most recently updated last: what moves
 * with the segment in scale-out (see {@link HostStatistics.snapshotSegments}).
 */
export interface HostSegmentState {
  lambdas: number[];
  fanoutWindowSeconds: number;
  hosts: { keys: Float64Array; bytes: DampedStatsState; fanout: FanoutTrackerState };
  pairs: { keys: Float64Array; bytes: DampedStatsState };
  sockets: { keys: Float64Array; flows: DampedStatsState };
}

/** Most keys per table in one segment's {@link HostSegmentState}: the most recently updated are kept. */
export interface HostSegmentLimits {
  hosts: number;
  pairs: number;
  sockets: number;
}

/**
 * Defaults of {@link HostSegmentLimits}. With the five default λs a key costs about 360
 * (host, with fan-out), 500 (pair) and 75 (socket) characters of checkpoint text, so a
 * segment's host statistics stay under about 270 KB of text (before the state topic's gzip).
 */
export const HOST_SEGMENT_LIMITS: Readonly<HostSegmentLimits> = { hosts: 256, pairs: 256, sockets: 512 };

/**
 * Keys not updated for this many time constants of the slowest decay (1/λ_min s) before the
 * segment's latest update are left out of its state: their weights have decayed below 2^-10
 * (every λ decays at least that much), so a fresh start differs from them by less than 0.1%.
 */
const IDLE_TIME_CONSTANTS = 10;

/**
 * The per-host, per-host-pair and per-socket state behind the damped features, each in its
 * own bounded {@link KeyTable} of `capacity` keys, so memory is fixed at construction
 * whatever the number of distinct addresses seen. Updated once per flow; {@link write} then
 * emits that flow's columns in `featureNames` order (host, pair, pair inter-arrival and
 * socket blocks, then fan-out).
 */
export class HostStatistics {
  readonly lambdas: readonly number[];
  readonly capacity: number;
  readonly #hosts: KeyTable;
  readonly #hostBytes: DampedStats;
  readonly #fanout: FanoutTracker;
  readonly #pairs: KeyTable;
  readonly #pairBytes: DampedStats;
  readonly #sockets: KeyTable;
  readonly #socketFlows: DampedStats;
  /** Per slot of each table: id of the segment of the last flow that updated it. */
  readonly #tags: Record<TableName, Int32Array>;
  readonly #segmentIds = new Map<string, number>();
  readonly #segmentNames: string[] = [];
  /** Observation (ms) after which no weight is extrapolated: {@link SETTLED_HALF_LIVES} of the slowest decay. */
  readonly #settledMs: number;
  /** Per λ, the observed share of its memory, for the flow being written. */
  readonly #observed: Float64Array;
  #host = 0;
  #pair = 0;
  #socket = 0;

  /**
   * @param lambdas decay rates (1/s).
   * @param capacity keys per table (hosts, pairs, sockets).
   * @param fanoutWindowSeconds window of the per-source fan-out counts.
   * @param from state to rebuild from; prefer {@link HostStatistics.restore}.
   */
  constructor(
    lambdas: readonly number[],
    capacity: number,
    fanoutWindowSeconds: number,
    from?: HostStatisticsState,
  ) {
    this.lambdas = [...lambdas];
    this.capacity = capacity;
    this.#settledMs = (SETTLED_HALF_LIVES / Math.min(...lambdas)) * 1000;
    this.#observed = new Float64Array(lambdas.length);
    this.#tags = {
      hosts: new Int32Array(capacity).fill(NO_SEGMENT),
      pairs: new Int32Array(capacity).fill(NO_SEGMENT),
      sockets: new Int32Array(capacity).fill(NO_SEGMENT),
    };
    if (from?.segments !== undefined) {
      for (const name of from.segments.names) this.segmentId(name);
      for (const t of TABLES) this.#tags[t].set(from.segments[t].subarray(0, capacity));
    }
    if (from === undefined) {
      this.#hosts = new KeyTable(capacity);
      this.#hostBytes = new DampedStats(lambdas, capacity, 1);
      this.#fanout = new FanoutTracker(capacity, fanoutWindowSeconds);
      this.#pairs = new KeyTable(capacity);
      this.#pairBytes = new DampedStats(lambdas, capacity, 2, true);
      this.#sockets = new KeyTable(capacity);
      this.#socketFlows = new DampedStats(lambdas, capacity, 0);
      return;
    }
    this.#hosts = KeyTable.restore(from.hosts.table);
    this.#hostBytes = DampedStats.restore(from.hosts.bytes, capacity);
    this.#fanout = FanoutTracker.restore(from.hosts.fanout, capacity);
    this.#pairs = KeyTable.restore(from.pairs.table);
    this.#pairBytes = DampedStats.restore(from.pairs.bytes, capacity);
    this.#sockets = KeyTable.restore(from.sockets.table);
    this.#socketFlows = DampedStats.restore(from.sockets.flows, capacity);
  }

  /**
   * Number for `segment` to pass to {@link update}; stable for this instance. Segments are
   * capped upstream (`segments.maxSegments`), so the name list stays small.
   */
  segmentId(segment: string): number {
    let id = this.#segmentIds.get(segment);
    if (id === undefined) {
      id = this.#segmentNames.push(segment) - 1;
      this.#segmentIds.set(segment, id);
    }
    return id;
  }

  /**
   * Updates every table with one flow at event time `tMs`. `srcKey`/`dstKey` are 52-bit
   * hashes of the address texts (key-hash.ts); `dstHostHash` their 32-bit low part.
   * `segment` ({@link segmentId}) is the flow's segment: each key belongs to the segment of
   * the last flow that updated it, which decides what moves with a segment in scale-out.
   */
  update(
    tMs: number,
    srcKey: number,
    dstKey: number,
    srcPort: number,
    dstPort: number,
    proto: number,
    bytesFwd: number,
    bytesRev: number,
    segment = NO_SEGMENT,
  ): void {
    const host = this.#hosts.acquire(srcKey);
    if (this.#hosts.fresh) {
      this.#hostBytes.reset(host);
      this.#fanout.reset(host);
    }
    this.#hostBytes.update(host, tMs, bytesFwd);
    this.#fanout.update(host, tMs, dstKey >>> 0, dstPort);

    const pairKey = combineKeys(srcKey, dstKey);
    const pair = this.#pairs.acquire(pairKey);
    if (this.#pairs.fresh) this.#pairBytes.reset(pair);
    this.#pairBytes.update(pair, tMs, bytesFwd, bytesRev);

    // Ports (16 bits each) and protocol (8) pack into 40 bits, within combineKeys' 52.
    const socketKey = combineKeys(pairKey, srcPort * 16777216 + dstPort * 256 + proto);
    const socket = this.#sockets.acquire(socketKey);
    if (this.#sockets.fresh) this.#socketFlows.reset(socket);
    this.#socketFlows.update(socket, tMs);

    this.#tags.hosts[host] = segment;
    this.#tags.pairs[pair] = segment;
    this.#tags.sockets[socket] = segment;
    this.#host = host;
    this.#pair = pair;
    this.#socket = socket;
  }

  /**
   * Writes the last updated flow's columns at `out[offset..]`; returns the offset after them.
   * `observedMs` is how long the flow's segment has been observed (event time): until the slowest
   * decay's memory is covered, the weights extrapolate the history before it (see
   * `observedWeight` in damped-stats.ts), so that a busy segment's first minutes look like the
   * rest and its warm-up learns them as they will be.
   */
  write(out: Float32Array, offset: number, observedMs = Number.POSITIVE_INFINITY): number {
    let observed: Float64Array | undefined;
    if (observedMs < this.#settledMs) {
      observed = this.#observed;
      this.#hostBytes.observedShares(Math.max(observedMs, MIN_OBSERVED_MS), observed);
    }
    let o = this.#hostBytes.writeMoments(this.#host, out, offset, true, observed);
    o = this.#pairBytes.writeRelation(this.#pair, out, o, observed);
    o = this.#pairBytes.writeInterArrival(this.#pair, out, o);
    o = this.#socketFlows.writeWeights(this.#socket, out, o, observed);
    out[o++] = this.#fanout.distinctHosts;
    out[o++] = this.#fanout.distinctPorts;
    return o;
  }

  /** Keys held per table; each is at most `capacity`. */
  get trackedKeys(): { hosts: number; pairs: number; sockets: number } {
    return { hosts: this.#hosts.size, pairs: this.#pairs.size, sockets: this.#sockets.size };
  }

  /** Keys evicted from all tables to make room for new ones. */
  get evictions(): number {
    return this.#hosts.evictions + this.#pairs.evictions + this.#sockets.evictions;
  }

  /** Every table's keys and rows, oldest key first. */
  snapshot(): HostStatisticsState {
    const rows = (table: KeyTable): { table: KeyTableState; slots: Int32Array } => {
      const state = table.snapshot();
      return { table: state, slots: Int32Array.from(state.keys, (k) => table.peek(k)) };
    };
    const hosts = rows(this.#hosts);
    const pairs = rows(this.#pairs);
    const sockets = rows(this.#sockets);
    return {
      lambdas: [...this.lambdas],
      capacity: this.capacity,
      hosts: {
        table: hosts.table,
        bytes: this.#hostBytes.snapshot(hosts.slots),
        fanout: this.#fanout.snapshot(hosts.slots),
      },
      pairs: {
        table: pairs.table,
        bytes: this.#pairBytes.snapshot(pairs.slots),
      },
      sockets: { table: sockets.table, flows: this.#socketFlows.snapshot(sockets.slots) },
      segments: {
        names: [...this.#segmentNames],
        hosts: hosts.slots.map((slot) => this.#tags.hosts[slot]),
        pairs: pairs.slots.map((slot) => this.#tags.pairs[slot]),
        sockets: sockets.slots.map((slot) => this.#tags.sockets[slot]),
      },
    };
  }

  /** Rebuilds from {@link snapshot}; key i of each table lands in slot i with its rows. */
  static restore(state: HostStatisticsState): HostStatistics {
    return new HostStatistics(state.lambdas, state.capacity, state.hosts.fanout.windowSeconds, state);
  }

  /**
   * The keys of each of `segments` with their rows, for the segment's checkpoint: at most
   * `limits` per table, the most recently updated (event time) first, and none idle for
   * {@link IDLE_TIME_CONSTANTS} time constants of the slowest decay before the segment's latest
   * update. One pass over the tables for all segments. Segments without keys are absent.
   */
  snapshotSegments(
    segments: readonly string[],
    limits: Readonly<HostSegmentLimits> = HOST_SEGMENT_LIMITS,
  ): Map<string, HostSegmentState> {
    const wanted = new Set(segments.map((s) => this.#segmentIds.get(s)).filter((id) => id !== undefined));
    const idleMs = (IDLE_TIME_CONSTANTS / Math.min(...this.lambdas)) * 1000;
    // Only keys, slots and tags of the whole tables: rows are copied for the chosen slots alone.
    const chosen = (t: TableName, table: KeyTable, stats: DampedStats) => {
      const bySegment = new Map<number, { key: number; slot: number; lastMs: number }[]>();
      for (const key of table.snapshot().keys) {
        const slot = table.peek(key);
        const id = this.#tags[t][slot];
        if (!wanted.has(id)) continue;
        const entry = { key, slot, lastMs: stats.lastMs(slot) };
        const list = bySegment.get(id);
        if (list === undefined) bySegment.set(id, [entry]);
        else list.push(entry);
      }
      const out = new Map<string, { keys: Float64Array; slots: Int32Array }>();
      for (const [id, entries] of bySegment) {
        const latest = entries.reduce((max, e) => Math.max(max, e.lastMs), Number.NEGATIVE_INFINITY);
        const kept = entries
          .filter((e) => e.lastMs >= latest - idleMs)
          .sort((x, y) => x.lastMs - y.lastMs)
          .slice(-limits[t]);
        out.set(this.#segmentNames[id], {
          keys: Float64Array.from(kept, (e) => e.key),
          slots: Int32Array.from(kept, (e) => e.slot),
        });
      }
      return out;
    };
    const hosts = chosen('hosts', this.#hosts, this.#hostBytes);
    const pairs = chosen('pairs', this.#pairs, this.#pairBytes);
    const sockets = chosen('sockets', this.#sockets, this.#socketFlows);
    const none = { keys: new Float64Array(0), slots: new Int32Array(0) };
    const out = new Map<string, HostSegmentState>();
    for (const name of new Set([...hosts.keys(), ...pairs.keys(), ...sockets.keys()])) {
      const h = hosts.get(name) ?? none;
      const p = pairs.get(name) ?? none;
      const k = sockets.get(name) ?? none;
      out.set(name, {
        lambdas: [...this.lambdas],
        fanoutWindowSeconds: this.#fanout.windowSeconds,
        hosts: {
          keys: h.keys,
          bytes: this.#hostBytes.snapshot(h.slots),
          fanout: this.#fanout.snapshot(h.slots),
        },
        pairs: { keys: p.keys, bytes: this.#pairBytes.snapshot(p.slots) },
        sockets: { keys: k.keys, flows: this.#socketFlows.snapshot(k.slots) },
      });
    }
    return out;
  }

  /**
   * A copy with the keys of `states` added, as the most recently used of each table (a segment
   * moved here; its keys are about to be used). A key held here already keeps whichever row was
   * updated later. When a table overflows, its least recently used keys go, as on any insertion.
   * @throws RangeError when a state was taken with other λs, fan-out window or row sizes.
   */
  withSegments(states: ReadonlyMap<string, HostSegmentState>): HostStatistics {
    const full = this.snapshot();
    const rows = toKeyRows(full);
    // Row widths of this configuration, from a one-key instance.
    const probe = new HostStatistics(this.lambdas, 1, full.hosts.fanout.windowSeconds);
    probe.update(0, 1, 2, 0, 0, 0, 0, 0);
    const widths = toKeyRows(probe.snapshot());
    const evicted: Record<TableName, number> = { hosts: 0, pairs: 0, sockets: 0 };
    for (const [segment, state] of states) {
      checkSegmentState(segment, state, this.lambdas, full.hosts.fanout.windowSeconds);
      const ops = full.hosts.table.ops;
      const incoming: Record<TableName, KeyRows> = {
        hosts: segmentRows(segment, state.hosts.keys, ops, [
          state.hosts.bytes.rows,
          state.hosts.fanout.epochs,
          state.hosts.fanout.bits,
        ]),
        pairs: segmentRows(segment, state.pairs.keys, ops, [state.pairs.bytes.rows]),
        sockets: segmentRows(segment, state.sockets.keys, ops, [state.sockets.flows.rows]),
      };
      for (const t of TABLES) {
        incoming[t].columns.forEach((column, c) => {
          const expected = incoming[t].keys.length * widths[t].columns[c].length;
          if (column.length !== expected)
            throw new RangeError(
              `segment ${segment}: host statistics checkpoint: ${t} rows hold ${column.length} values, expected ${expected}`,
            );
        });
        const merged = mergeRows(rows[t], incoming[t], this.capacity);
        rows[t] = merged.rows;
        evicted[t] += merged.dropped;
      }
    }
    return HostStatistics.restore(fromKeyRows(full, rows, evicted));
  }

  /** A copy without the keys of the segments `gone` selects (they moved to another instance); `this` when there are none. */
  withoutSegments(gone: (segment: string) => boolean): HostStatistics {
    const ids = new Set(this.#segmentNames.flatMap((name, id) => (gone(name) ? [id] : [])));
    if (ids.size === 0 || TABLES.every((t) => !this.#tags[t].some((id) => ids.has(id)))) return this;
    const full = this.snapshot();
    const rows = toKeyRows(full);
    for (const t of TABLES) {
      const keep = rows[t].segments.flatMap((name, i) => (name !== '' && gone(name) ? [] : [i]));
      rows[t] = pickRows(rows[t], keep);
    }
    return HostStatistics.restore(fromKeyRows(full, rows, { hosts: 0, pairs: 0, sockets: 0 }));
  }
}
