/**
 * The volume forecaster's recursion on a plain count series, for fitting and evaluation: the same damped
 * additive Holt–Winters as {@link VolumeForecaster} (first tick sets the level; forecasts are clamped at 0),
 * so parameters fitted here mean the same thing there.
 */

/** Smoothing of level, trend and season (Holt–Winters α, β, γ), the trend damping φ, and the residual EWMA weight. */
export interface ForecasterParams {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
  /** Weight of the newest |residual| in the mean absolute residual (the score's spread). */
  residualSmoothing: number;
}

/** The fixed values the forecaster used before meta-learning (and still uses without a `forecaster.json`). */
export const DEFAULT_FORECASTER_PARAMS: Readonly<ForecasterParams> = Object.freeze({
  alpha: 0.2,
  beta: 0.02,
  gamma: 0.1,
  phi: 0.9,
  residualSmoothing: 0.05,
});

/** The point-forecast parameters searched over, and the box each is projected onto. */
export const PARAM_BOUNDS = {
  alpha: [0.01, 0.99],
  beta: [0, 0.5],
  gamma: [0, 0.99],
  phi: [0.5, 1],
} as const satisfies Record<string, readonly [number, number]>;

export type PointParam = keyof typeof PARAM_BOUNDS;
export const POINT_PARAMS = Object.keys(PARAM_BOUNDS) as PointParam[];

/** `p` with every point parameter projected onto its bounds. */
export function projectParams(p: ForecasterParams): ForecasterParams {
  const out = { ...p };
  for (const k of POINT_PARAMS) {
    const [lo, hi] = PARAM_BOUNDS[k];
    out[k] = Math.min(hi, Math.max(lo, p[k]));
  }
  out.residualSmoothing = Math.min(1, Math.max(1e-4, p.residualSmoothing));
  return out;
}

/** A parameter switch during a run: from tick `atTick` on, `params` are used (online adaptation). */
export interface ParamSwitch {
  atTick: number;
  params: ForecasterParams;
}

/** One-step-ahead forecasts of a count series and the forecaster's mean absolute residual after each tick. */
export interface OneStepRun {
  /** forecasts[t] is made before seeing series[t]; NaN at t = 0. */
  forecasts: Float64Array;
  /** The spread state after closing tick t (0 until two ticks closed). */
  meanAbsResidual: Float64Array;
}

/**
 * Runs the forecaster over `series` (ticks 0, 1, …; the seasonal index is `t % seasonTicks`) and returns its
 * one-step forecasts. With `change`, ticks from `change.atTick` on are closed with `change.params`.
 */
export function oneStepForecasts(
  series: ArrayLike<number>,
  params: ForecasterParams,
  seasonTicks = 0,
  change?: ParamSwitch,
): OneStepRun {
  const n = series.length;
  const m = Math.max(0, Math.floor(seasonTicks));
  const season = new Float64Array(m);
  const forecasts = new Float64Array(n).fill(Number.NaN);
  const meanAbsResidual = new Float64Array(n);
  let level = 0;
  let trend = 0;
  let mar = 0;
  for (let t = 0; t < n; t++) {
    const p = change && t >= change.atTick ? change.params : params;
    const y = series[t]!;
    const idx = m > 0 ? t % m : 0;
    const seasonal = m > 0 ? season[idx]! : 0;
    if (t === 0) {
      level = y;
    } else {
      const forecast = Math.max(0, level + p.phi * trend + seasonal);
      forecasts[t] = forecast;
      const r = Math.abs(y - forecast);
      mar = t === 1 ? r : mar + p.residualSmoothing * (r - mar);
      const next = p.alpha * (y - seasonal) + (1 - p.alpha) * (level + p.phi * trend);
      trend = p.beta * (next - level) + (1 - p.beta) * p.phi * trend;
      level = next;
      if (m > 0) season[idx] = p.gamma * (y - level) + (1 - p.gamma) * seasonal;
    }
    meanAbsResidual[t] = mar;
  }
  return { forecasts, meanAbsResidual };
}

/** Mean |y_t − y_{t−1}| over t in [max(1, from), to): the naive one-step error, the MASE scale. */
export function naiveScale(series: ArrayLike<number>, from = 1, to = series.length): number {
  let sum = 0;
  let k = 0;
  for (let t = Math.max(1, from); t < to; t++, k++) sum += Math.abs(series[t]! - series[t - 1]!);
  return k > 0 ? sum / k : Number.NaN;
}

/** Mean absolute error of `forecasts` against `series` over t in [max(1, from), to). */
export function meanAbsError(
  series: ArrayLike<number>,
  forecasts: ArrayLike<number>,
  from = 1,
  to = series.length,
): number {
  let sum = 0;
  let k = 0;
  for (let t = Math.max(1, from); t < to; t++, k++) sum += Math.abs(series[t]! - forecasts[t]!);
  return k > 0 ? sum / k : Number.NaN;
}

/**
 * Mean absolute scaled error of the forecaster with `params` over the whole series: its one-step MAE over the
 * naive last-value MAE, so a quiet and a busy segment weigh alike. NaN for a constant series (scale 0).
 */
export function seriesMase(series: ArrayLike<number>, params: ForecasterParams, seasonTicks = 0): number {
  const scale = naiveScale(series);
  if (!(scale > 0)) return Number.NaN;
  return meanAbsError(series, oneStepForecasts(series, params, seasonTicks).forecasts) / scale;
}
