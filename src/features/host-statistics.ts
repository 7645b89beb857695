import { DampedStats, type DampedStatsState } from './damped-stats.js';
import { FanoutTracker, type FanoutTrackerState } from './fanout-tracker.js';
import { combineKeys } from './key-hash.js';
import { KeyTable, type KeyTableState } from './key-table.js';

/** Serializable state of {@link HostStatistics} (typed arrays: structuredClone or node:v8). */
export interface HostStatisticsState {
  lambdas: number[];
  capacity: number;
  hosts: { table: KeyTableState; bytes: DampedStatsState; fanout: FanoutTrackerState };
  pairs: { table: KeyTableState; bytes: DampedStatsState };
  sockets: { table: KeyTableState; flows: DampedStatsState };
}

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
   * Updates every table with one flow at event time `tMs`. `srcKey`/`dstKey` are 52-bit
   * hashes of the address texts (key-hash.ts); `dstHostHash` their 32-bit low part.
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

    this.#host = host;
    this.#pair = pair;
    this.#socket = socket;
  }

  /** Writes the last updated flow's columns at `out[offset..]`; returns the offset after them. */
  write(out: Float32Array, offset: number): number {
    let o = this.#hostBytes.writeMoments(this.#host, out, offset, true);
    o = this.#pairBytes.writeRelation(this.#pair, out, o);
    o = this.#pairBytes.writeInterArrival(this.#pair, out, o);
    o = this.#socketFlows.writeWeights(this.#socket, out, o);
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
    };
  }

  /** Rebuilds from {@link snapshot}; key i of each table lands in slot i with its rows. */
  static restore(state: HostStatisticsState): HostStatistics {
    return new HostStatistics(state.lambdas, state.capacity, state.hosts.fanout.windowSeconds, state);
  }
}
