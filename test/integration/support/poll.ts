import type { DaemonRun } from './daemon-process.js';

const POLL_INTERVAL_MS = 50;

/** Poll `probe` until it returns a value other than undefined (bounded), and return that value. */
export async function pollFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
  throw new Error(`${what}: not seen within ${timeoutMs} ms`);
}

/** The first log line after the first `skip` lines that `match` accepts (bounded wait). */
export function waitForLog(
  run: DaemonRun,
  match: (line: Record<string, unknown>) => boolean,
  options: { skip?: number; timeoutMs?: number; what?: string } = {},
): Promise<Record<string, unknown>> {
  return pollFor(
    options.what ?? 'log line',
    () => {
      if (run.child.exitCode !== null || run.child.signalCode !== null)
        throw new Error(
          `daemon exited while waiting for ${options.what ?? 'a log line'}; stderr:\n${run.stderr()}`,
        );
      return completeLogs(run)
        .slice(options.skip ?? 0)
        .find(match);
    },
    options.timeoutMs,
  );
}

/**
 * Parsed JSON log lines, complete ones only: while the daemon runs, stderr may end part-way
 * through a long line (a `stats` line spans several pipe reads), which must not be parsed yet.
 */
export function completeLogs(run: DaemonRun): Record<string, unknown>[] {
  const text = run.stderr();
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Scrape `/metrics` until `ready(text)` holds (bounded); returns the last scrape. */
export function scrapeUntil(
  baseUrl: string,
  ready: (text: string) => boolean,
  timeoutMs = 30_000,
): Promise<string> {
  return pollFor(
    'metrics',
    async () => {
      const res = await fetch(`${baseUrl}/metrics`);
      const text = await res.text();
      return res.status === 200 && ready(text) ? text : undefined;
    },
    timeoutMs,
  );
}

/** The value of one exposition line (`name{labels} value`), or undefined when absent. */
export function metricValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
