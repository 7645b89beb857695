import { ModelError } from '../core/errors.js';
import { closeTicksThrough, flowTick, openTickFor } from './forecast/close-ticks.js';
import { adaptForecaster } from './forecast/fit-forecaster.js';
import { DEFAULT_FORECASTER_PARAMS, type ForecasterParams } from './forecast/holt-winters.js';
import type { OpenTick, VolumeForecasterSnapshot } from './volume-forecaster-snapshot.js';

export type { VolumeForecasterSnapshot } from './volume-forecaster-snapshot.js';

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
  /**
   * Ticks held open at once (default 1): the newest tick seen and the `openTicks − 1` before it. A flow whose
   * tick is still open counts in its own tick; only older flows count in the oldest open tick. Flows exported
   * after an idle timeout arrive that much after flows closed by FIN/RST, so with one open tick a single prompt
   * flow would pile the following timeout's worth of late flows into one tick: a false volume burst.
   */
  openTicks?: number;
  /** Weight of the newest |residual| in the mean absolute residual (default 0.05). */
  residualSmoothing?: number;
  /**
   * Per-segment adaptation: after `ticks` closed ticks the parameters take a few projected gradient steps
   * on those ticks' counts from the given (shared) values ({@link adaptForecaster}). Absent = fixed parameters.
   */
  adaptation?: { ticks: number; steps?: number; pull?: number };
}

/** Ticks before the forecaster scores: level and residual spread need a few observations first. */
const MIN_TICKS = 6;
/**
 * Fewest flows a tick must hold before its excess is scored. Below this a segment's volume is Poisson noise
 * and ordinary bursts (a device's DNS and NTP at boot) would read as volumetric attacks; every flood or scan
 * worth the name fills a tick far beyond it.
 */
const MIN_TICK_FLOWS = 20;

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
 * The newest `openTicks` ticks stay open: a late flow (exported after an idle timeout) counts in its own tick
 * while that is open, and in the oldest open tick otherwise; a tick closes once it falls out of that window.
 *
 * α, β, γ, φ and the residual smoothing default to fixed values ({@link DEFAULT_FORECASTER_PARAMS}); a model's
 * `forecaster.json` carries values meta-learned across segments (src/meta/forecast), and with `adaptation` each
 * segment refines them on its own first ticks. The recursion is the one of `oneStepForecasts`, which fits them.
 */
export class VolumeForecaster {
  readonly #tickMs: number;
  readonly #seasonTicks: number;
  readonly #adaptation: VolumeForecasterOptions['adaptation'];
  readonly #openTicks: number;
  #p: ForecasterParams;
  /** Closed-tick counts while adaptation is pending; undefined once done (or when off). */
  #head: number[] | undefined;
  #s: Omit<VolumeForecasterSnapshot, 'bySrc' | 'byDst' | 'params' | 'head' | 'open' | 'closedThrough'>;
  /** Open ticks older than `#s.tick` (the newest is `#s.count` / `#bySrc` / `#byDst`). */
  #older = new Map<number, OpenTick>();
  /** Flows per source and per destination host in the newest open tick. */
  #bySrc = new Map<string, number>();
  #byDst = new Map<string, number>();
  /** Last closed tick; NaN before the first close. */
  #closedThrough = Number.NaN;

  constructor(options: VolumeForecasterOptions) {
    if (!(options.tickSeconds > 0))
      throw new ModelError(`forecaster: tickSeconds must be > 0, got ${options.tickSeconds}`);
    this.#tickMs = options.tickSeconds * 1000;
    this.#seasonTicks = Math.max(0, Math.floor(options.seasonTicks));
    this.#openTicks = Math.max(1, Math.floor(options.openTicks ?? 1));
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
    // Zeek logs in start order: a long flow's end must not pile every later flow into one far-off tick.
    const tick = flowTick(startMs, endMs, this.#tickMs);
    if (Number.isNaN(s.tick)) s.tick = tick;
    else if (tick > s.tick) this.#advance(tick);
    // A flow whose tick is still open counts in it; one whose tick already closed (a capture exports idle
    // flows a timeout after their last packet) counts in the oldest open tick: the volume arrived, only late,
    // and a flood of one-packet flows is all late.
    const at = openTickFor(tick, s.tick, this.#openTicks, this.#closedThrough);
    let count: number;
    let fromSrc: number;
    let toDst: number;
    if (at === s.tick) {
      count = ++s.count;
      fromSrc = bump(this.#bySrc, src);
      toDst = bump(this.#byDst, dst);
    } else {
      let o = this.#older.get(at);
      if (!o) {
        o = { count: 0, bySrc: new Map(), byDst: new Map() };
        this.#older.set(at, o);
      }
      count = ++o.count;
      fromSrc = bump(o.bySrc, src);
      toDst = bump(o.byDst, dst);
    }
    if (s.closedTicks < MIN_TICKS || count < MIN_TICK_FLOWS) return Number.NaN;
    const forecast = this.#forecast(at);
    const z = (count - forecast) / this.#spread(forecast);
    return z > 0 ? (z * Math.max(fromSrc, toDst)) / count : z;
  }

  snapshot(): VolumeForecasterSnapshot {
    return {
      ...this.#s,
      season: [...this.#s.season],
      bySrc: [...this.#bySrc],
      byDst: [...this.#byDst],
      params: { ...this.#p },
      ...(this.#head ? { head: [...this.#head] } : {}),
      open: [...this.#older].map(([tick, o]) => ({
        tick,
        count: o.count,
        bySrc: [...o.bySrc],
        byDst: [...o.byDst],
      })),
      ...(Number.isNaN(this.#closedThrough) ? {} : { closedThrough: this.#closedThrough }),
    };
  }

  restore(snapshot: VolumeForecasterSnapshot): void {
    if (snapshot.season.length !== this.#seasonTicks) {
      throw new ModelError(
        `forecaster snapshot: expected ${this.#seasonTicks} season ticks, got ${snapshot.season.length}`,
      );
    }
    const { bySrc, byDst, params, head, open, closedThrough, ...state } = snapshot;
    this.#s = { ...state, season: [...snapshot.season] };
    // A snapshot with no open tick (tick NaN) restarts the clock at the next flow: nothing in between is replayed.
    const restarted = !Number.isFinite(state.tick);
    if (restarted) this.#s.tick = Number.NaN;
    this.#closedThrough = restarted
      ? Number.NaN
      : (closedThrough ?? (state.closedTicks > 0 ? state.tick - 1 : Number.NaN));
    this.#older = new Map(
      restarted
        ? []
        : (open ?? []).map((o) => [
            o.tick,
            { count: o.count, bySrc: new Map(o.bySrc), byDst: new Map(o.byDst) },
          ]),
    );
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

  /**
   * Makes `tick` the newest open tick: every tick that falls out of the open window closes in order, empty
   * ones as zeros ({@link closeTicksThrough}: a long run of empty ticks is jumped over, not replayed).
   */
  #advance(tick: number): void {
    const s = this.#s;
    this.#older.set(s.tick, { count: s.count, bySrc: this.#bySrc, byDst: this.#byDst });
    s.tick = tick;
    s.count = 0;
    this.#bySrc = new Map();
    this.#byDst = new Map();
    this.#closedThrough = closeTicksThrough(
      this.#older,
      (o) => o.count,
      this.#closedThrough,
      tick - this.#openTicks,
      (k, count) => this.#close(k, count),
    );
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

/** Adds one to `key`'s count in `counts` and returns the new count. */
function bump(counts: Map<string, number>, key: string): number {
  const n = (counts.get(key) ?? 0) + 1;
  counts.set(key, n);
  return n;
}
