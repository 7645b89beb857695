import type { Writable } from 'node:stream';

/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** Units of work in total (meta-iterations, epochs). */
  total: number;
  /** What a unit is, for the rate: `tasks`, `epochs`. */
  unit: string;
  /** Units of {@link unit} per step of work (tasks per meta-iteration); default 1. */
  unitsPerStep?: number;
  label: string;
  stream: Writable & { isTTY?: boolean; columns?: number };
  /** Clock in ms; injectable so tests do not depend on real time. */
  now?: () => number;
  /** Shortest interval between plain-text lines when the stream is not a terminal (default 5000 ms). */
  plainIntervalMs?: number;
}

/**
 * A one-line progress display: done/total, loss, rate and ETA. On a terminal it redraws one line
 * (at most every 100 ms); otherwise (a log file, CI) it writes a plain line every few seconds,
 * because carriage returns make logs unreadable.
 */
export class ProgressBar {
  readonly #o: ProgressBarOptions;
  readonly #now: () => number;
  readonly #startMs: number;
  #lastDrawMs = Number.NEGATIVE_INFINITY;
  #done = 0;
  #drawnDone = -1;
  #loss = Number.NaN;

  constructor(options: ProgressBarOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => performance.now());
    this.#startMs = this.#now();
  }

  /** Records progress; draws when enough time has passed (always at the last step). */
  update(done: number, loss: number): void {
    this.#done = done;
    this.#loss = loss;
    const now = this.#now();
    const interval = this.#o.stream.isTTY ? 100 : (this.#o.plainIntervalMs ?? 5000);
    if (now - this.#lastDrawMs < interval && done < this.#o.total) return;
    this.#lastDrawMs = now;
    this.#draw(now, false);
  }

  /** Draws the final state and ends the line. */
  finish(): void {
    // A plain-text log already has the last line when the last update drew it.
    if (this.#o.stream.isTTY || this.#drawnDone !== this.#done) this.#draw(this.#now(), true);
  }

  /** The status text without the bar, e.g. `120/400 loss 0.4312 12.0 tasks/s ETA 23s`. */
  status(now = this.#now()): string {
    const { total, unit } = this.#o;
    const seconds = Math.max(1e-9, (now - this.#startMs) / 1000);
    const stepsPerSecond = this.#done / seconds;
    const rate = stepsPerSecond * (this.#o.unitsPerStep ?? 1);
    const eta = stepsPerSecond > 0 ? (total - this.#done) / stepsPerSecond : Number.NaN;
    const loss = Number.isFinite(this.#loss) ? this.#loss.toFixed(4) : '-';
    return `${this.#done}/${total} loss ${loss} ${rate.toFixed(1)} ${unit}/s ETA ${formatSeconds(eta)}`;
  }

  #draw(now: number, final: boolean): void {
    const { stream, label, total } = this.#o;
    this.#drawnDone = this.#done;
    const text = `${label} ${this.status(now)}`;
    if (!stream.isTTY) {
      stream.write(`${text}\n`);
      return;
    }
    const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - text.length - 4));
    const filled = total > 0 ? Math.round((width * this.#done) / total) : width;
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    stream.write(`\r\x1b[K${bar} ${text}${final ? '\n' : ''}`);
  }
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}
