import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AlertLike } from './attack-labels.js';
import { repoRoot, runDaemon, writeConfig } from './daemon-process.js';

export const samplePcap = path.join(repoRoot, 'samples', 'sample.pcap');

/** The `summary` log line a finished run writes (the fields the tests read). */
export interface SummaryLine {
  packets: number;
  flows: number;
  segments: string[];
  alerts: Record<string, number>;
  decodeErrors: Record<string, number>;
  error?: string;
}

/** The part of an ECS alert document the capture tests read. */
export type EcsAlert = AlertLike & {
  event: { id: string; start?: string; end?: string };
  labels: { segment: string };
};

export interface ReplayResult {
  code: number | null;
  stdout: string;
  stderr: string;
  logs: Record<string, unknown>[];
  /** Undefined when the daemon wrote no summary line. */
  summary: SummaryLine | undefined;
  alerts: EcsAlert[];
}

/**
 * The bundled config with telemetry on a free port, and `extraServerCidrs` added to the `servers`
 * segment (so foreign traffic lands in a segment that warmed up on the sample's benign flows).
 */
export function writeReplayConfig(dir: string, extraServerCidrs: readonly string[] = []): string {
  const bundled = readFileSync(path.join(repoRoot, 'config', 'tapwatch.yaml'), 'utf8');
  const text = replaceOnce(
    replaceOnce(bundled, 'listen: 127.0.0.1:9464', 'listen: 127.0.0.1:0'),
    'cidrs: [10.20.0.0/24]',
    `cidrs: [${['10.20.0.0/24', ...extraServerCidrs].join(', ')}]`,
  );
  return writeConfig(dir, text);
}

function replaceOnce(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`config/tapwatch.yaml no longer contains "${from}"`);
  return text.replace(from, to);
}

/** `tapwatch replay <files> --config <config>` to completion, bounded in time. */
export async function replay(
  files: readonly string[],
  config: string,
  options: { timeoutMs?: number; extraArgs?: string[] } = {},
): Promise<ReplayResult> {
  const run = await runDaemon(['replay', ...files, '--config', config, ...(options.extraArgs ?? [])], {
    timeoutMs: options.timeoutMs ?? 90_000,
  });
  const summary = run.logs.find((l) => l.msg === 'summary') as SummaryLine | undefined;
  const alerts = run.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as EcsAlert);
  return { ...run, summary, alerts };
}

/** The last non-empty line of a text. */
export function lastLine(text: string): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines[lines.length - 1] ?? '';
}
