/** Warm-up rows split for training and calibration. */
export interface WarmupSplit {
  train: Float32Array;
  calibration: Float32Array;
  /** Pair key and event time of each calibration row, in order. */
  calibrationKeys: string[];
  calibrationTimesMs: Float64Array;
  /** The volume forecaster's score of each calibration row. */
  calibrationForecast: Float32Array;
  /** The volume forecaster's score of every warm-up flow, in order. */
  forecast: Float32Array;
  /** Event time of every warm-up flow, in order. */
  timesMs: Float64Array;
  /** Pair key of every warm-up flow, in order. */
  keys: string[];
}

/** Warm-up rows held out from training to calibrate: every 4th, spread evenly over time. */
const CALIBRATION_STRIDE = 4;

/**
 * The first `capacity` flows of a segment: raw feature rows plus what calibration needs besides them (the
 * forecaster's score, the pair key and the event time of each flow). Filled while the segment learns.
 */
export class WarmupBuffer {
  readonly dim: number;
  readonly capacity: number;
  readonly #rows: Float32Array;
  readonly #forecast: Float32Array;
  readonly #keys: string[] = [];
  readonly #timesMs: Float64Array;
  #size = 0;

  constructor(dim: number, capacity: number) {
    this.dim = dim;
    this.capacity = capacity;
    this.#rows = new Float32Array(capacity * dim);
    this.#forecast = new Float32Array(capacity);
    this.#timesMs = new Float64Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  get full(): boolean {
    return this.#size === this.capacity;
  }

  /** Appends rows until full; returns how many were taken. */
  push(rows: Float32Array, forecast: Float32Array, keys: readonly string[], timesMs: Float64Array): number {
    const take = Math.min(rows.length / this.dim, this.capacity - this.#size);
    this.#rows.set(rows.subarray(0, take * this.dim), this.#size * this.dim);
    this.#forecast.set(forecast.subarray(0, take), this.#size);
    this.#timesMs.set(timesMs.subarray(0, take), this.#size);
    for (let i = 0; i < take; i++) this.#keys[this.#size + i] = keys[i]!;
    this.#size += take;
    return take;
  }

  /** The buffered rows (row-major), e.g. for a checkpoint. */
  rows(): Float32Array {
    return this.#rows.subarray(0, this.#size * this.dim);
  }

  /** Every {@link CALIBRATION_STRIDE}-th row goes to calibration, the rest to training. */
  split(): WarmupSplit {
    const { dim } = this;
    const n = this.#size;
    const calibrationRows = Math.floor(n / CALIBRATION_STRIDE);
    const train = new Float32Array((n - calibrationRows) * dim);
    const calibration = new Float32Array(calibrationRows * dim);
    const calibrationKeys: string[] = [];
    const calibrationTimesMs = new Float64Array(calibrationRows);
    const calibrationForecast = new Float32Array(calibrationRows);
    let t = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      const row = this.#rows.subarray(i * dim, (i + 1) * dim);
      if (i % CALIBRATION_STRIDE === CALIBRATION_STRIDE - 1) {
        calibrationKeys.push(this.#keys[i]!);
        calibrationTimesMs[c] = this.#timesMs[i]!;
        calibrationForecast[c] = this.#forecast[i]!;
        calibration.set(row, dim * c++);
      } else train.set(row, dim * t++);
    }
    const forecast = this.#forecast.slice(0, n);
    return {
      train,
      calibration,
      calibrationKeys,
      calibrationTimesMs,
      calibrationForecast,
      forecast,
      timesMs: this.#timesMs.slice(0, n),
      keys: this.#keys.slice(0, n),
    };
  }

  /** Pair keys, forecaster scores and event times of the buffered rows, e.g. for a checkpoint. */
  context(): { keys: string[]; forecast: number[]; timesMs: number[] } {
    const n = this.#size;
    return {
      keys: this.#keys.slice(0, n),
      forecast: Array.from(this.#forecast.subarray(0, n)),
      timesMs: Array.from(this.#timesMs.subarray(0, n)),
    };
  }
}

/** `rows` (row-major, `dim` features) split like a full warm-up buffer, e.g. recent benign rows to re-adapt on. */
export function splitRows(rows: Float32Array, dim: number): WarmupSplit {
  const n = rows.length / dim;
  const buffer = new WarmupBuffer(dim, n);
  buffer.push(rows, new Float32Array(n), new Array<string>(n).fill(''), new Float64Array(n));
  return buffer.split();
}
