/** A Generalized Pareto Distribution of excesses `y = x - t` over a threshold `t`. */
export interface GpdParams {
  /** Shape γ: 0 is an exponential tail, > 0 a heavy (Pareto-like) tail, < 0 a bounded one. */
  gamma: number;
  /** Scale σ > 0. */
  sigma: number;
}

/** Options of {@link fitGpd}. */
export interface GpdFitOptions {
  /** Consider only γ ≥ 0 (exponential or heavier): safer than a bounded tail fitted to few peaks. */
  nonNegativeShape?: boolean;
}

/** |γ| below this counts as the exponential (γ → 0) limit. */
const GAMMA_EPSILON = 1e-8;
/** Grid cells per bracketing interval when looking for roots of Grimshaw's equation. */
const GRID_CELLS = 20;
/** Root refinement stops once the bracket is this narrow relative to the root… */
const ROOT_TOLERANCE = 1e-14;
/** …or after this many steps (bisection would need 48 to narrow a cell as far). */
const MAX_ROOT_STEPS = 100;

/**
 * Maximum-likelihood GPD fit of `excesses` (all ≥ 0) by Grimshaw's trick (Grimshaw 1993, as used by SPOT,
 * Siffer et al. KDD 2017, §3.2). With x = γ/σ the likelihood equations reduce to one equation in x:
 *
 *   w(x) = u(x)·v(x) − 1 = 0,  u(x) = mean(1 / (1 + x·Y_i)),  v(x) = 1 + mean(log(1 + x·Y_i)),
 *
 * and each root gives γ = v(x) − 1, σ = γ / x. The roots lie in (−1/Y_max, 0) and in
 * (0, 2(Ȳ − Y_min)/Y_min²]; the candidate with the highest log-likelihood wins, the exponential fit
 * (γ = 0, σ = Ȳ) included. Roots are bracketed on a log-spaced grid and refined by the Illinois variant of
 * regula falsi, which needs no derivatives, keeps the bracket like bisection and is deterministic, but
 * converges in a handful of steps where bisection needs dozens (each step costs a pass over the peaks).
 */
export function fitGpd(excesses: ArrayLike<number>, options: GpdFitOptions = {}): GpdParams {
  const n = excesses.length;
  let mean = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const y = excesses[i]!;
    mean += y / n;
    if (y < min) min = y;
    if (y > max) max = y;
  }
  const exponential: GpdParams = { gamma: 0, sigma: Math.max(mean, 1e-12) };
  if (n < 2 || !(max > 0)) return exponential;
  const candidates: GpdParams[] = [exponential];
  // Roots can sit anywhere across many decades of x, so the brackets are scanned on a log scale.
  const floor = 1e-6 / Math.max(mean, 1e-12);
  const intervals: [number, number][] = [];
  if (!options.nonNegativeShape) intervals.push([-(1 / max) * (1 - 1e-9), -floor]);
  const upper = min > 0 ? (2 * (mean - min)) / (min * min) : 1e6 / Math.max(mean, 1e-12);
  intervals.push([floor, Math.max(upper, 2 * floor)]);
  for (const [lo, hi] of intervals) {
    for (const x of roots((v) => grimshaw(excesses, v), lo, hi)) {
      // γ = v(x) − 1 = mean(log(1 + x·Y_i)).
      const gamma = meanLog1p(excesses, x);
      const sigma = gamma / x;
      if (sigma > 0 && Number.isFinite(sigma) && (!options.nonNegativeShape || gamma >= 0)) {
        candidates.push({ gamma, sigma });
      }
    }
  }
  let best = exponential;
  let bestLl = logLikelihood(excesses, exponential);
  for (const c of candidates) {
    const ll = logLikelihood(excesses, c);
    if (ll > bestLl) [best, bestLl] = [c, ll];
  }
  return best;
}

/** Log-likelihood of `excesses` under a GPD; −∞ when an excess lies past a bounded tail's endpoint. */
export function logLikelihood(excesses: ArrayLike<number>, { gamma, sigma }: GpdParams): number {
  const n = excesses.length;
  if (!(sigma > 0)) return Number.NEGATIVE_INFINITY;
  let sum = 0;
  if (Math.abs(gamma) < GAMMA_EPSILON) {
    for (let i = 0; i < n; i++) sum += excesses[i]!;
    return -n * Math.log(sigma) - sum / sigma;
  }
  for (let i = 0; i < n; i++) {
    const z = 1 + (gamma * excesses[i]!) / sigma;
    if (z <= 0) return Number.NEGATIVE_INFINITY;
    sum += Math.log(z);
  }
  return -n * Math.log(sigma) - (1 + 1 / gamma) * sum;
}

/** Survival of the excess: P(Y > y) for the fitted GPD (eq. 1 of the SPOT paper). */
export function gpdSurvival(y: number, { gamma, sigma }: GpdParams): number {
  if (y <= 0) return 1;
  if (Math.abs(gamma) < GAMMA_EPSILON) return Math.exp(-y / sigma);
  const z = 1 + (gamma * y) / sigma;
  return z <= 0 ? 0 : z ** (-1 / gamma);
}

/** Inverse of {@link gpdSurvival}: the excess whose survival is `p` (0 < p ≤ 1). */
export function gpdExcessQuantile(p: number, { gamma, sigma }: GpdParams): number {
  if (Math.abs(gamma) < GAMMA_EPSILON) return -sigma * Math.log(p);
  return (sigma / gamma) * (p ** -gamma - 1);
}

function grimshaw(excesses: ArrayLike<number>, x: number): number {
  const n = excesses.length;
  let u = 0;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const s = 1 + x * excesses[i]!;
    u += 1 / s;
    v += Math.log(s);
  }
  return (u / n) * (1 + v / n) - 1;
}

function meanLog1p(excesses: ArrayLike<number>, x: number): number {
  let v = 0;
  for (let i = 0; i < excesses.length; i++) v += Math.log(1 + x * excesses[i]!);
  return v / excesses.length;
}

/** Sign changes of `f` on a grid log-spaced in |x| over [lo, hi] (one sign), each refined by {@link refineRoot}. */
function roots(f: (x: number) => number, lo: number, hi: number): number[] {
  if (!(hi > lo)) return [];
  const sign = hi <= 0 ? -1 : 1;
  const [from, to] = sign > 0 ? [lo, hi] : [-hi, -lo];
  const ratio = Math.log(to / from);
  const found: number[] = [];
  let a = sign * from;
  let fa = f(a);
  for (let k = 1; k <= GRID_CELLS; k++) {
    const b = sign * from * Math.exp((ratio * k) / GRID_CELLS);
    const fb = f(b);
    if (Number.isFinite(fa) && Number.isFinite(fb) && fa * fb <= 0 && fa !== fb) {
      found.push(refineRoot(f, a, fa, b, fb));
    }
    [a, fa] = [b, fb];
  }
  return found;
}

/**
 * The root of `f` in the bracket [a, b] (f(a)·f(b) ≤ 0) by the Illinois method: regula falsi, with the
 * value at an end that stays put twice in a row halved so that end moves too.
 */
function refineRoot(f: (x: number) => number, a: number, fa: number, b: number, fb: number): number {
  if (fa === 0) return a;
  if (fb === 0) return b;
  for (let i = 0; i < MAX_ROOT_STEPS; i++) {
    const c = (a * fb - b * fa) / (fb - fa);
    const fc = f(c);
    if (fc === 0 || !Number.isFinite(fc)) return c;
    if (fc * fb < 0) [a, fa] = [b, fb];
    else fa /= 2;
    [b, fb] = [c, fc];
    if (Math.abs(b - a) <= ROOT_TOLERANCE * Math.abs(b)) break;
  }
  return b;
}
