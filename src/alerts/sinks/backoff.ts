/** Exponential backoff settings shared by the network sinks. */
export interface BackoffOptions {
  /** Delay before the first retry. */
  initialDelayMs: number;
  /** Upper bound of any single delay. */
  maxDelayMs: number;
  /** Random number in [0, 1); tests pass a fixed one. Defaults to `Math.random`. */
  random?: () => number;
}

/**
 * Delay before retry number `attempt` (0-based): exponential growth capped at `maxDelayMs`, with
 * "equal jitter" — half the delay fixed, half random — so many senders that lost the same
 * peer do not reconnect in lockstep, yet no retry comes sooner than half the nominal delay.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions): number {
  const random = options.random ?? Math.random;
  const exponent = Math.min(Math.max(0, attempt), 30);
  const nominal = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** exponent);
  return Math.round(nominal / 2 + (nominal / 2) * random());
}
