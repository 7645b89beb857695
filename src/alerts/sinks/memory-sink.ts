import { SinkError } from '../../core/errors.js';
import type { Alert } from '../alert.js';
import type { AlertSink } from './alert-sink.js';

/**
 * Keeps alerts in an array. Tests use it as a real sink; the daemon can use it behind a
 * debugging endpoint. `maxAlerts` bounds memory by dropping the oldest.
 */
export class MemorySink implements AlertSink {
  readonly name: string;
  readonly #alerts: Alert[] = [];
  readonly #maxAlerts: number;
  #flushes = 0;
  #closed = false;

  constructor(options: { name?: string; maxAlerts?: number } = {}) {
    this.name = options.name ?? 'memory';
    this.#maxAlerts = options.maxAlerts ?? Number.POSITIVE_INFINITY;
  }

  /** Alerts received, oldest first. */
  get alerts(): readonly Alert[] {
    return this.#alerts;
  }

  get flushes(): number {
    return this.#flushes;
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(alert: Alert): void {
    if (this.#closed) throw new SinkError(`${this.name}: write after close`);
    this.#alerts.push(alert);
    if (this.#alerts.length > this.#maxAlerts) this.#alerts.shift();
  }

  async flush(): Promise<void> {
    this.#flushes++;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  /** Remove and return everything received so far. */
  take(): Alert[] {
    return this.#alerts.splice(0);
  }
}
