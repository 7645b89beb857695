import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const mainJs = path.join(repoRoot, 'dist', 'main.js');
export const sharedData = path.resolve(repoRoot, '../shared/data');

/** A temporary directory for one test's files. */
export function tempDir(prefix = 'tapwatch-it-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Write a config file into `dir` and return its path. */
export function writeConfig(dir: string, yamlText: string, name = 'tapwatch.yaml'): string {
  const file = path.join(dir, name);
  writeFileSync(file, yamlText);
  return file;
}

export interface DaemonRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Parsed JSON log lines from stderr. */
  logs: () => Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the telemetry address once the daemon logs it. */
  telemetryAddress: () => Promise<string>;
}

/** Start the real daemon (`node dist/main.js ...args`) as a child process. */
export function startDaemon(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): DaemonRun {
  const child = spawn(process.execPath, [mainJs, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  // Only complete lines: the last one may still be arriving in pieces.
  const logs = () =>
    err
      .slice(0, err.lastIndexOf('\n') + 1)
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const telemetryAddress = async () => {
    for (let i = 0; i < 600; i++) {
      const line = logs().find((l) => l.msg === 'telemetry listening');
      if (line) return String(line.address);
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`daemon never logged its telemetry address; stderr:\n${err}`);
  };
  return { child, stdout: () => out, stderr: () => err, logs, exited, telemetryAddress };
}

/** Run the daemon to completion, bounded by `timeoutMs` (then SIGKILL and fail). */
export async function runDaemon(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string; logs: Record<string, unknown>[] }> {
  const run = startDaemon(args, options);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  const { code, signal } = await run.exited;
  clearTimeout(timer);
  if (signal === 'SIGKILL')
    throw new Error(`daemon did not finish within ${timeoutMs} ms; stderr:\n${run.stderr()}`);
  return { code, stdout: run.stdout(), stderr: run.stderr(), logs: run.logs() };
}

/** Poll an HTTP path until it answers `status` (bounded). */
export async function waitForStatus(url: string, status: number, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      last = String(res.status);
      if (res.status === status) return;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
}

/**
 * Starts `tapwatch run --config <config>` and waits until `/-/ready` answers 200; `base` is its telemetry
 * URL. A daemon that never gets ready is killed before the error is thrown.
 */
export async function startReadyDaemon(config: string): Promise<{ run: DaemonRun; base: string }> {
  const run = startDaemon(['run', '--config', config]);
  try {
    const base = `http://${await run.telemetryAddress()}`;
    await waitForStatus(`${base}/-/ready`, 200);
    return { run, base };
  } catch (err) {
    run.child.kill('SIGKILL');
    throw err;
  }
}
