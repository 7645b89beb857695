import { seededRandom } from '../seeded-random.js';
import {
  DEFAULT_FORECASTER_PARAMS,
  type ForecasterParams,
  naiveScale,
  oneStepForecasts,
  PARAM_BOUNDS,
  POINT_PARAMS,
  type PointParam,
  projectParams,
  seriesMase,
} from './holt-winters.js';

/** Options of {@link fitForecasterInit}. */
export interface FitOptions {
  /** Ticks per season of the series (as `detector.forecast.seasonTicks`); 0 leaves γ at its default. */
  seasonTicks?: number;
  /** Random candidates drawn before the local search (default 48). */
  candidates?: number;
  /** Pattern-search iterations after the random stage (default 80). */
  iterations?: number;
}

/** Options of {@link adaptForecaster}. */
export interface AdaptOptions {
  seasonTicks?: number;
  /** Projected gradient steps (default 5). */
  steps?: number;
  /** Initial step size in units of each parameter's range (default 0.5; halved while a step does not help). */
  stepSize?: number;
  /** Strength of the pull toward the shared initialization, on parameters scaled to [0, 1] (default 0.5). */
  pull?: number;
}

const RESIDUAL_GRID = [0.01, 0.02, 0.03, 0.05, 0.08, 0.12, 0.2, 0.3] as const;

/** The point parameters that matter: γ only with a season. */
function activeParams(seasonTicks: number): PointParam[] {
  return POINT_PARAMS.filter((k) => k !== 'gamma' || seasonTicks > 0);
}

/** Mean MASE over the series that are not constant (the meta-objective). */
export function meanMase(
  series: readonly ArrayLike<number>[],
  params: ForecasterParams,
  seasonTicks = 0,
): number {
  let sum = 0;
  let k = 0;
  for (const s of series) {
    const v = seriesMase(s, params, seasonTicks);
    if (Number.isFinite(v)) {
      sum += v;
      k++;
    }
  }
  return k > 0 ? sum / k : Number.NaN;
}

/**
 * Learns the forecaster's shared initialization across training segments: the point parameters (α, β, φ, and γ
 * with a season) minimise the mean one-step MASE over the training series — a seeded random search over the
 * parameter box (the defaults included, so the result is never worse than them on the training series),
 * then a compass search with shrinking steps from the best candidate — and the residual smoothing is picked
 * from a grid to best predict each next |residual| (mean squared scaled error). Deterministic for a seed.
 * Series that are constant carry no information and are skipped; with none left the defaults come back.
 */
export function fitForecasterInit(
  series: readonly ArrayLike<number>[],
  seed: number,
  options: FitOptions = {},
): ForecasterParams {
  const m = options.seasonTicks ?? 0;
  const usable = series.filter((s) => naiveScale(s) > 0);
  if (usable.length === 0) return { ...DEFAULT_FORECASTER_PARAMS };
  const keys = activeParams(m);
  const loss = (p: ForecasterParams) => meanMase(usable, p, m);
  const random = seededRandom(seed);
  let best: ForecasterParams = { ...DEFAULT_FORECASTER_PARAMS };
  let bestLoss = loss(best);
  for (let i = 0; i < (options.candidates ?? 48); i++) {
    const p = { ...best };
    for (const k of keys) {
      const [lo, hi] = PARAM_BOUNDS[k];
      p[k] = lo + (hi - lo) * random();
    }
    const l = loss(p);
    if (l < bestLoss) [best, bestLoss] = [p, l];
  }
  const step = Object.fromEntries(keys.map((k) => [k, 0.25 * (PARAM_BOUNDS[k][1] - PARAM_BOUNDS[k][0])]));
  for (let it = 0; it < (options.iterations ?? 80); it++) {
    let moved = false;
    for (const k of keys) {
      for (const sign of [1, -1]) {
        const p = projectParams({ ...best, [k]: best[k] + sign * step[k]! });
        const l = loss(p);
        if (l < bestLoss - 1e-12) {
          [best, bestLoss] = [p, l];
          moved = true;
        }
      }
    }
    if (!moved) {
      for (const k of keys) step[k]! /= 2;
      if (keys.every((k) => step[k]! < 1e-3 * (PARAM_BOUNDS[k][1] - PARAM_BOUNDS[k][0]))) break;
    }
  }
  return { ...best, residualSmoothing: fitResidualSmoothing(usable, best, m) };
}

/** The grid value of the residual EWMA weight whose running mean |residual| best predicts the next |residual|. */
export function fitResidualSmoothing(
  series: readonly ArrayLike<number>[],
  params: ForecasterParams,
  seasonTicks = 0,
): number {
  let best: number = DEFAULT_FORECASTER_PARAMS.residualSmoothing;
  let bestLoss = Number.POSITIVE_INFINITY;
  for (const w of RESIDUAL_GRID) {
    const p = { ...params, residualSmoothing: w };
    let sum = 0;
    let k = 0;
    for (const s of series) {
      const scale = naiveScale(s);
      if (!(scale > 0)) continue;
      const run = oneStepForecasts(s, p, seasonTicks);
      let e = 0;
      for (let t = 2; t < s.length; t++) {
        const d = (Math.abs(s[t]! - run.forecasts[t]!) - run.meanAbsResidual[t - 1]!) / scale;
        e += d * d;
      }
      if (s.length > 2) {
        sum += e / (s.length - 2);
        k++;
      }
    }
    const l = k > 0 ? sum / k : Number.POSITIVE_INFINITY;
    if (l < bestLoss) [best, bestLoss] = [w, l];
  }
  return best;
}

/**
 * Per-segment adaptation from the shared initialization: a few projected gradient steps (central finite
 * differences, parameters scaled to [0, 1]) on the segment's own first ticks, minimising
 *   MASE(head; θ) + pull · ‖θ − θ₀‖²,
 * with backtracking (a step that does not lower the objective is halved, up to four times, then dropped).
 * A head that is constant (nothing to learn from) returns the initialization unchanged.
 */
export function adaptForecaster(
  init: ForecasterParams,
  head: ArrayLike<number>,
  options: AdaptOptions = {},
): ForecasterParams {
  const m = options.seasonTicks ?? 0;
  if (!(naiveScale(head) > 0) || head.length < 3) return { ...init };
  const keys = activeParams(m);
  const pull = options.pull ?? 0.5;
  const range = (k: PointParam) => PARAM_BOUNDS[k][1] - PARAM_BOUNDS[k][0];
  const objective = (p: ForecasterParams) => {
    let prior = 0;
    for (const k of keys) prior += ((p[k] - init[k]) / range(k)) ** 2;
    return seriesMase(head, p, m) + pull * prior;
  };
  let theta = projectParams(init);
  let value = objective(theta);
  let size = options.stepSize ?? 0.5;
  const h = 1e-3;
  for (let s = 0; s < (options.steps ?? 5); s++) {
    const grad = keys.map((k) => {
      const up = objective(projectParams({ ...theta, [k]: theta[k] + h * range(k) }));
      const down = objective(projectParams({ ...theta, [k]: theta[k] - h * range(k) }));
      return (up - down) / (2 * h);
    });
    let accepted = false;
    for (let tries = 0; tries < 5 && !accepted; tries++, size /= 2) {
      const next = { ...theta };
      keys.forEach((k, i) => {
        next[k] = theta[k] - size * grad[i]! * range(k);
      });
      const projected = projectParams(next);
      const v = objective(projected);
      if (v < value) [theta, value, accepted] = [projected, v, true];
    }
    if (!accepted) break;
    size *= 2;
  }
  return theta;
}

/** Options of {@link fitAdaptation}. */
export interface FitAdaptationOptions {
  seasonTicks?: number;
  /** Ticks each segment adapts on before scoring (default 60). */
  adaptTicks?: number;
  steps?: number;
  /** Pull strengths tried (default 0.1, 0.5, 2, 8). */
  pulls?: readonly number[];
}

/**
 * Meta-learns how strongly segments should adapt: for each candidate pull, every training series adapts from
 * `init` on its first `adaptTicks` ticks and is scored (MASE) on the rest; the pull with the lowest mean wins
 * unless not adapting at all does better, in which case `undefined` comes back (adaptation off).
 */
export function fitAdaptation(
  series: readonly ArrayLike<number>[],
  init: ForecasterParams,
  options: FitAdaptationOptions = {},
): { pull: number | undefined; tailMase: { pull: number | undefined; mase: number }[] } {
  const m = options.seasonTicks ?? 0;
  const from = options.adaptTicks ?? 60;
  const usable = series.filter((s) => s.length > from + 1 && naiveScale(s, from) > 0);
  const score = (pull: number | undefined) => {
    let sum = 0;
    for (const s of usable) {
      const head = Array.prototype.slice.call(s, 0, from) as number[];
      const adapted =
        pull === undefined
          ? undefined
          : {
              atTick: from,
              params: adaptForecaster(init, head, { seasonTicks: m, pull, steps: options.steps ?? 5 }),
            };
      const forecasts = oneStepForecasts(s, init, m, adapted).forecasts;
      let e = 0;
      for (let t = from; t < s.length; t++) e += Math.abs(s[t]! - forecasts[t]!);
      sum += e / (s.length - from) / naiveScale(s, from);
    }
    return usable.length > 0 ? sum / usable.length : Number.NaN;
  };
  const tailMase = [undefined, ...(options.pulls ?? [0.1, 0.5, 2, 8])].map((pull) => ({
    pull,
    mase: score(pull),
  }));
  const best = tailMase.reduce((a, b) => (b.mase < a.mase ? b : a));
  return { pull: best.pull, tailMase };
}
