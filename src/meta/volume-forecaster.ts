import { ModelError } from '../core/errors.js';
import { adaptForecaster } from './forecast/fit-forecaster.js';
import { DEFAULT_FORECASTER_PARAMS, type ForecasterParams } from './forecast/holt-winters.js';

/** Options of a {@link VolumeForecaster}. */
export interface VolumeForecasterOptions {
  /** Length of one count tick, seconds of event time. */
  tickSeconds: number;
  /** Ticks per season (e.g. 8640 = one day of 10 s ticks); 0 = no seasonal term. */
  seasonTicks: number;
  /** Smoothing of level, trend and season (Holt–Winters α, β, γ) and the trend damping φ. */
  alpha?: number;
  beta?: number;
  gamma?: number;
  phi?: number;
  /** Weight of the newest |residual| in the mean absolute residual (default 0.05). */
  residualSmoothing?: number;
  /**
   * Per-segment adaptation: after `ticks` closed ticks the parameters take a few projected gradient steps
   * on those ticks' counts from the given (shared) values ({@link adaptForecaster}). Absent = fixed parameters.
   */
  adaptation?: { ticks: number; steps?: number; pull?: number };
}

/** Serializable state of a {@link VolumeForecaster}. */
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
}

/** Ticks before the forecaster scores: level and residual spread need a few observations first. */
const MIN_TICKS = 6;
/**
 * Fewest flows a tick must hold before its excess is scored. Below this a segment's volume is Poisson noise
 * and ordinary bursts (a device's DNS and NTP at boot) would read as volumetric attacks; every flood or scan
 * worth the name fills a tick far beyond it.
 */
const MIN_TICK_FLOWS = 20;
/** A gap longer than this many ticks is not replayed tick by tick; the state jumps over it. */
const MAX_REPLAYED_TICKS = 1024;

/**
 * A segment's traffic-volume forecaster: flows are counted per tick of event time (`floor(endMs / tick)`),
 * and each closed tick updates an additive Holt–Winters model with a damped trend (Gardner & McKenzie 1985):
 *
 *   ŷ = ℓ + φb + s,  ℓ' = α(y − s) + (1 − α)(ℓ + φb),  b' = β(ℓ' − ℓ) + (1 − β)φb,  s' = γ(y − ℓ') + (1 − γ)s.
 *
 * A flow's raw score is the running count of its tick against the tick's forecast, in units of a robust
 * residual spread: max(1.25 · mean |residual| (≈ σ for normal residuals), √ŷ (Poisson noise of a count)).
 * The count is partial while the tick is open, so the score is one-sided evidence of excess volume that grows
 * as a flood goes on. Driven by event time only: the same flows give the same scores at any replay speed.
 * Flows older than the open tick count into it (exporters deliver flows about in end order).
 *
 * α, β, γ, φ and the residual smoothing default to fixed values ({@link DEFAULT_FORECASTER_PARAMS}); a model's
 * `forecaster.json` carries values meta-learned across segments (src/meta/forecast), and with `adaptation` each
 * segment refines them on its own first ticks. The recursion is the one of `oneStepForecasts`, which fits them.
 */
export class VolumeForecaster {
  readonly #tickMs: number;
  readonly #seasonTicks: number;
  readonly #adaptation: VolumeForecasterOptions['adaptation'];
  #p: ForecasterParams;
  /** Closed-tick counts while adaptation is pending; undefined once done (or when off). */
  #head: number[] | undefined;
  #s: Omit<VolumeForecasterSnapshot, 'bySrc' | 'byDst' | 'params' | 'head'>;
  /** Flows per source and per destination host in the open tick. */
  #bySrc = new Map<string, number>();
  #byDst = new Map<string, number>();

  constructor(options: VolumeForecasterOptions) {
    if (!(options.tickSeconds > 0))
      throw new ModelError(`forecaster: tickSeconds must be > 0, got ${options.tickSeconds}`);
    this.#tickMs = options.tickSeconds * 1000;
    this.#seasonTicks = Math.max(0, Math.floor(options.seasonTicks));
    const d = DEFAULT_FORECASTER_PARAMS;
    this.#p = {
      alpha: options.alpha ?? d.alpha,
      beta: options.beta ?? d.beta,
      gamma: options.gamma ?? d.gamma,
      phi: options.phi ?? d.phi,
      residualSmoothing: options.residualSmoothing ?? d.residualSmoothing,
    };
    this.#adaptation = options.adaptation && options.adaptation.ticks > 0 ? options.adaptation : undefined;
    this.#head = this.#adaptation ? [] : undefined;
    this.#s = {
      tick: Number.NaN,
      count: 0,
      level: 0,
      trend: 0,
      season: new Array<number>(this.#seasonTicks).fill(0),
      meanAbsResidual: 0,
      closedTicks: 0,
      lastForecast: 0,
      lastObserved: 0,
    };
  }

  /** Parameters in use: the configured ones, or the segment's own once adaptation ran. */
  get params(): ForecasterParams {
    return { ...this.#p };
  }

  /** Forecast and observed flows of the last closed tick (for `tapwatch_forecast_flows` / `_observed_flows`). */
  get lastTick(): { forecastFlows: number; observedFlows: number } {
    return { forecastFlows: this.#s.lastForecast, observedFlows: this.#s.lastObserved };
  }

  /**
   * Counts one flow (started at `startMs`, ended at `endMs`) between hosts `src` and `dst`, and returns its raw score (NaN, i.e. no
   * evidence either way, until a few ticks have closed: a 0 there would calibrate the tail on a block of
   * ties and turn the first real residual into p ≈ 0 for every flow): the tick's residual z times the flow's participation, the share of the tick's
   * flows so far that have its source or its destination (the larger). A volume excess is a segment-level
   * fact; participation attributes it to the flows that make it up — a flood's flows share the victim, a
   * scan's the scanner — rather than to every benign flow that happens to end in the same tick.
   */
  observe(startMs: number, endMs: number, src: string, dst: string): number {
    const s = this.#s;
    // A flow counts when it ends, or one tick after it started if it lasted longer: a long flow's end can lie
    // hours ahead of the flows around it (Zeek logs in start order), and one such flow must not drag the
    // tick clock forward and pile every later flow into a single far-off tick. Volume floods are short flows.
    const atMs = Number.isFinite(startMs) ? Math.min(endMs, startMs + this.#tickMs) : endMs;
    const tick = Math.floor(atMs / this.#tickMs);
    if (Number.isNaN(s.tick)) s.tick = tick;
    else if (tick > s.tick) this.#advance(tick);
    // A flow whose tick already closed (a capture exports idle flows a timeout after their last packet)
    // counts in the open tick: the volume arrived, only late, and a flood of one-packet flows is all late.
    s.count++;
    const fromSrc = (this.#bySrc.get(src) ?? 0) + 1;
    const toDst = (this.#byDst.get(dst) ?? 0) + 1;
    this.#bySrc.set(src, fromSrc);
    this.#byDst.set(dst, toDst);
    if (s.closedTicks < MIN_TICKS || s.count < MIN_TICK_FLOWS) return Number.NaN;
    const forecast = this.#forecast(s.tick);
    const z = (s.count - forecast) / this.#spread(forecast);
    return z > 0 ? (z * Math.max(fromSrc, toDst)) / s.count : z;
  }

  snapshot(): VolumeForecasterSnapshot {
    return {
      ...this.#s,
      season: [...this.#s.season],
      bySrc: [...this.#bySrc],
      byDst: [...this.#byDst],
      params: { ...this.#p },
      ...(this.#head ? { head: [...this.#head] } : {}),
    };
  }

  restore(snapshot: VolumeForecasterSnapshot): void {
    if (snapshot.season.length !== this.#seasonTicks) {
      throw new ModelError(
        `forecaster snapshot: expected ${this.#seasonTicks} season ticks, got ${snapshot.season.length}`,
      );
    }
    const { bySrc, byDst, params, head, ...state } = snapshot;
    this.#s = { ...state, season: [...snapshot.season] };
    if (params) this.#p = { ...params };
    // An older snapshot has no head: adaptation can only start over from a fresh forecaster.
    this.#head = this.#adaptation && (head || state.closedTicks === 0) ? [...(head ?? [])] : undefined;
    this.#bySrc = new Map(bySrc);
    this.#byDst = new Map(byDst);
  }

  #forecast(tick: number): number {
    const s = this.#s;
    const seasonal = this.#seasonTicks > 0 ? s.season[tick % this.#seasonTicks]! : 0;
    return Math.max(0, s.level + this.#p.phi * s.trend + seasonal);
  }

  #spread(forecast: number): number {
    return Math.max(1.25 * this.#s.meanAbsResidual, Math.sqrt(Math.max(1, forecast)));
  }

  /** Closes the open tick and every empty tick up to `tick` (a long gap is jumped over, not replayed). */
  #advance(tick: number): void {
    const s = this.#s;
    const gap = tick - s.tick;
    this.#close(s.tick, s.count);
    const replay = Math.min(gap - 1, MAX_REPLAYED_TICKS);
    for (let k = 1; k <= replay; k++) this.#close(s.tick + k, 0);
    s.tick = tick;
    s.count = 0;
    this.#bySrc.clear();
    this.#byDst.clear();
  }

  #close(tick: number, y: number): void {
    const s = this.#s;
    const p = this.#p;
    const m = this.#seasonTicks;
    const idx = m > 0 ? tick % m : 0;
    const seasonal = m > 0 ? s.season[idx]! : 0;
    if (s.closedTicks === 0) {
      s.level = y;
    } else {
      const forecast = this.#forecast(tick);
      const residual = y - forecast;
      s.meanAbsResidual =
        s.closedTicks === 1
          ? Math.abs(residual)
          : s.meanAbsResidual + p.residualSmoothing * (Math.abs(residual) - s.meanAbsResidual);
      [s.lastForecast, s.lastObserved] = [forecast, y];
      const level = p.alpha * (y - seasonal) + (1 - p.alpha) * (s.level + p.phi * s.trend);
      s.trend = p.beta * (level - s.level) + (1 - p.beta) * p.phi * s.trend;
      s.level = level;
      if (m > 0) s.season[idx] = p.gamma * (y - level) + (1 - p.gamma) * seasonal;
    }
    s.closedTicks++;
    const adaptation = this.#adaptation;
    if (this.#head && adaptation) {
      this.#head.push(y);
      if (this.#head.length >= adaptation.ticks) {
        this.#p = adaptForecaster(p, this.#head, {
          seasonTicks: m,
          ...(adaptation.steps === undefined ? {} : { steps: adaptation.steps }),
          ...(adaptation.pull === undefined ? {} : { pull: adaptation.pull }),
        });
        this.#head = undefined;
      }
    }
  }
}
