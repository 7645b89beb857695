// Host-table rows regrouped by table for per-segment snapshots: pick a segment's keys, merge incoming keys
// into local tables by recency, and check that a segment's state fits the running configuration.
import type { HostSegmentState, HostStatisticsState } from './host-statistics.js';
import type { KeyTableState } from './key-table.js';

/** Slot segment id of a key no segment has updated. */
export const NO_SEGMENT = -1;
export type TableName = 'hosts' | 'pairs' | 'sockets';
export const TABLES: readonly TableName[] = ['hosts', 'pairs', 'sockets'];

/** One table's keys in recency order (oldest first) with, per key, its bump, segment and rows. */
export interface KeyRows {
  keys: number[];
  bumps: number[];
  segments: string[];
  /** Row blocks, each `keys.length * width` values. */
  columns: (Float64Array | Uint32Array)[];
}

/** Each table of a full state as {@link KeyRows}; the first column is the damped rows (last update time first). */
export function toKeyRows(state: HostStatisticsState): Record<TableName, KeyRows> {
  const names = state.segments?.names ?? [];
  const rows = (t: TableName, columns: KeyRows['columns']): KeyRows => ({
    keys: [...state[t].table.keys],
    bumps: [...state[t].table.bumps],
    segments: state[t].table.keys.map((_k, i) => names[state.segments?.[t][i] ?? NO_SEGMENT] ?? ''),
    columns,
  });
  return {
    hosts: rows('hosts', [state.hosts.bytes.rows, state.hosts.fanout.epochs, state.hosts.fanout.bits]),
    pairs: rows('pairs', [state.pairs.bytes.rows]),
    sockets: rows('sockets', [state.sockets.flows.rows]),
  };
}

/** A full state from `base` with each table's keys and rows replaced by `rows`, and `evicted` more evictions. */
export function fromKeyRows(
  base: HostStatisticsState,
  rows: Record<TableName, KeyRows>,
  evicted: Record<TableName, number>,
): HostStatisticsState {
  const names = [...new Set(TABLES.flatMap((t) => rows[t].segments).filter((n) => n !== ''))];
  const ids = new Map(names.map((n, i) => [n, i]));
  const table = (t: TableName): KeyTableState => ({
    ...base[t].table,
    keys: rows[t].keys,
    bumps: rows[t].bumps,
    evictions: base[t].table.evictions + evicted[t],
  });
  const tags = (t: TableName) => Int32Array.from(rows[t].segments, (n) => ids.get(n) ?? NO_SEGMENT);
  return {
    lambdas: base.lambdas,
    capacity: base.capacity,
    hosts: {
      table: table('hosts'),
      bytes: { ...base.hosts.bytes, rows: rows.hosts.columns[0] as Float64Array },
      fanout: {
        windowSeconds: base.hosts.fanout.windowSeconds,
        epochs: rows.hosts.columns[1] as Float64Array,
        bits: rows.hosts.columns[2] as Uint32Array,
      },
    },
    pairs: {
      table: table('pairs'),
      bytes: { ...base.pairs.bytes, rows: rows.pairs.columns[0] as Float64Array },
    },
    sockets: {
      table: table('sockets'),
      flows: { ...base.sockets.flows, rows: rows.sockets.columns[0] as Float64Array },
    },
    segments: { names, hosts: tags('hosts'), pairs: tags('pairs'), sockets: tags('sockets') },
  };
}

export function segmentRows(
  segment: string,
  keys: Float64Array,
  bump: number,
  columns: KeyRows['columns'],
): KeyRows {
  return {
    keys: [...keys],
    bumps: Array.from(keys, () => bump),
    segments: Array.from(keys, () => segment),
    columns,
  };
}

/** The rows at `indices`, in that order. */
export function pickRows(rows: KeyRows, indices: readonly number[]): KeyRows {
  const n = rows.keys.length;
  return {
    keys: indices.map((i) => rows.keys[i]),
    bumps: indices.map((i) => rows.bumps[i]),
    segments: indices.map((i) => rows.segments[i]),
    columns: rows.columns.map((column) => {
      const width = n === 0 ? 0 : column.length / n;
      const out = new (column.constructor as Float64ArrayConstructor | Uint32ArrayConstructor)(
        indices.length * width,
      );
      indices.forEach((i, k) => {
        out.set(column.subarray(i * width, (i + 1) * width), k * width);
      });
      return out;
    }),
  };
}

/**
 * `local` then `incoming` (newest), a key in both kept once — the row updated later (its first
 * value) — and the oldest dropped beyond `capacity` (counted as evictions: as if the moved keys
 * had been inserted one by one).
 */
export function mergeRows(
  local: KeyRows,
  incoming: KeyRows,
  capacity: number,
): { rows: KeyRows; dropped: number } {
  const width = (rows: KeyRows) => (rows.keys.length === 0 ? 0 : rows.columns[0].length / rows.keys.length);
  const lastLocal = (i: number) => local.columns[0][i * width(local)];
  const lastIncoming = (i: number) => incoming.columns[0][i * width(incoming)];
  const localIndex = new Map(local.keys.map((k, i) => [k, i]));
  const takeIncoming = incoming.keys.flatMap((k, j) => {
    const i = localIndex.get(k);
    return i === undefined || lastIncoming(j) > lastLocal(i) ? [j] : [];
  });
  const replaced = new Set(takeIncoming.map((j) => incoming.keys[j]));
  const keepLocal = local.keys.flatMap((k, i) => (replaced.has(k) ? [] : [i]));
  const a = pickRows(local, keepLocal);
  const b = pickRows(incoming, takeIncoming);
  const drop = Math.max(0, a.keys.length + b.keys.length - capacity);
  const joined: KeyRows = {
    keys: [...a.keys, ...b.keys],
    bumps: [...a.bumps, ...b.bumps],
    segments: [...a.segments, ...b.segments],
    columns: a.columns.map((column, c) => {
      const out = new (column.constructor as Float64ArrayConstructor | Uint32ArrayConstructor)(
        column.length + b.columns[c].length,
      );
      out.set(column);
      out.set(b.columns[c], column.length);
      return out;
    }),
  };
  const rows = drop === 0 ? joined : pickRows(joined, joined.keys.map((_k, i) => i).slice(drop));
  return { rows, dropped: drop };
}

export function checkSegmentState(
  segment: string,
  state: HostSegmentState,
  lambdas: readonly number[],
  windowSeconds: number,
): void {
  const problem =
    state.lambdas.join() !== lambdas.join()
      ? `lambdas [${state.lambdas.join(', ')}], config has [${lambdas.join(', ')}]`
      : state.fanoutWindowSeconds !== windowSeconds
        ? `fan-out window ${state.fanoutWindowSeconds} s, expected ${windowSeconds} s`
        : state.hosts.fanout.epochs.length !== state.hosts.keys.length
          ? `${state.hosts.keys.length} hosts but ${state.hosts.fanout.epochs.length} fan-out rows`
          : undefined;
  if (problem !== undefined)
    throw new RangeError(`segment ${segment}: host statistics checkpoint has ${problem}`);
}
