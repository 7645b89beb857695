import type { ForecasterParams } from './forecast/holt-winters.js';

/** Serializable state of a `VolumeForecaster`. */
export interface VolumeForecasterSnapshot {
  tick: number;
  count: number;
  level: number;
  trend: number;
  season: number[];
  /** Exponentially weighted mean absolute one-step residual. */
  meanAbsResidual: number;
  closedTicks: number;
  lastForecast: number;
  lastObserved: number;
  /** Flows per source and per destination host in the open tick. */
  bySrc: [string, number][];
  byDst: [string, number][];
  /** Parameters in use (absent in older snapshots: the constructor's). */
  params?: ForecasterParams;
  /** Counts of the closed ticks kept for adaptation, while it is pending. */
  head?: number[];
  /** Open ticks older than `tick` (with `openTicks` > 1); absent in older snapshots. */
  open?: { tick: number; count: number; bySrc: [string, number][]; byDst: [string, number][] }[];
  /** Last closed tick (absent in older snapshots: `tick − 1` once a tick closed). */
  closedThrough?: number;
}

/** Flows counted in one open tick, in total and per source and destination host. */
export interface OpenTick {
  count: number;
  bySrc: Map<string, number>;
  byDst: Map<string, number>;
}
