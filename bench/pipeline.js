// Whole-pipeline throughput: the real daemon as a child process replaying a capture as fast as
// it can (read, decode, flows, features, detector warm-up and scoring, alerts), with its own
// `summary` log line for the rate and the kernel's peak RSS for memory. `npm run build` first.
//
//   node bench/pipeline.js bench/out/bench-1m.pcap [runs]
//
// The child gets a copy of the bundled config with the telemetry server off and no alert
// output (stdout sink disabled, file sink empty), so the run measures the pipeline rather than
// a terminal or a disk.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse, stringify } from 'yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(ROOT, 'dist', 'main.js');
const BUNDLED_CONFIG = join(ROOT, 'config', 'tapwatch.yaml');
const GNU_TIME = '/usr/bin/time';
const RSS_POLL_MS = 20;

/**
 * Writes the bench config for `capture` into a fresh temporary directory.
 * @returns {{ file: string, dispose: () => void }}
 */
export function writeBenchConfig(capture, base = BUNDLED_CONFIG) {
  const config = parse(readFileSync(base, 'utf8'));
  config.input.capture.files = [resolve(capture)];
  config.input.capture.speed = 0;
  config.telemetry.listen = '';
  config.alerts.stdout.enabled = false;
  config.alerts.file.path = '';
  const dir = mkdtempSync(join(tmpdir(), 'tapwatch-bench-'));
  const file = join(dir, 'tapwatch.yaml');
  writeFileSync(file, stringify(config));
  return { file, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * One daemon run over `capture`.
 * @returns {Promise<{ packets: number, flows: number, seconds: number, packetsPerSecond: number,
 *   flowsPerSecond: number, wallSeconds: number, cpuSeconds: number | undefined, maxRssBytes: number, rssSource: string,
 *   backend: string | undefined, alerts: Record<string, number> }>}
 */
export async function benchPipeline(capture, { nodeArgs = [] } = {}) {
  const config = writeBenchConfig(capture);
  try {
    return await runDaemon(['replay', resolve(capture), '--config', config.file], nodeArgs);
  } finally {
    config.dispose();
  }
}

function runDaemon(daemonArgs, nodeArgs) {
  // GNU time reports the exact peak RSS (getrusage ru_maxrss) after exit; without it, VmHWM is
  // polled from /proc, which can miss growth in the last poll interval.
  const timed = existsSync(GNU_TIME);
  const command = timed ? GNU_TIME : process.execPath;
  const args = timed
    ? [
        '-f',
        'tapwatch-bench maxrss_kb=%M user_s=%U sys_s=%S',
        process.execPath,
        ...nodeArgs,
        MAIN,
        ...daemonArgs,
      ]
    : [...nodeArgs, MAIN, ...daemonArgs];
  const started = performance.now();
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  let polledKb = 0;
  const poll = timed
    ? undefined
    : setInterval(() => {
        polledKb = Math.max(polledKb, readVmHwmKb(child.pid));
      }, RSS_POLL_MS);
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (poll) clearInterval(poll);
      const wallSeconds = (performance.now() - started) / 1000;
      if (code !== 0) {
        reject(new Error(`daemon exited with ${code}:\n${stderr.slice(-2000)}`));
        return;
      }
      try {
        resolvePromise(parseRun(stderr, wallSeconds, timed ? undefined : polledKb));
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** Peak RSS so far of `pid` in KiB, or 0 once the process is gone (its last reading stands). */
function readVmHwmKb(pid) {
  let status;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT' || err.code === 'ESRCH') return 0;
    throw new Error(`reading /proc/${pid}/status`, { cause: err });
  }
  const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) : 0;
}

/** Pulls the summary, the backend and the peak RSS out of the daemon's stderr. */
function parseRun(stderr, wallSeconds, polledKb) {
  let summary;
  let backend;
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line);
    if (entry.msg === 'summary') summary = entry;
    else if (entry.msg === 'detector backend selected') backend = entry.backend;
  }
  if (!summary) throw new Error(`daemon printed no summary line:\n${stderr.slice(-2000)}`);
  const timeLine = /tapwatch-bench maxrss_kb=(\d+) user_s=([\d.]+) sys_s=([\d.]+)/.exec(stderr);
  if (polledKb === undefined && !timeLine) throw new Error('GNU time printed no maxrss line');
  const maxRssKb = polledKb ?? Number(timeLine[1]);
  // CPU seconds of the whole process (all threads, startup included): steadier than wall time
  // on a shared machine, so useful to compare two builds; not a throughput by itself.
  const cpuSeconds = timeLine ? Number(timeLine[2]) + Number(timeLine[3]) : undefined;
  return {
    packets: summary.packets,
    flows: summary.flows,
    seconds: summary.seconds,
    packetsPerSecond: Math.round(summary.packetsPerSecond),
    flowsPerSecond: Math.round(summary.flowsPerSecond),
    wallSeconds,
    cpuSeconds,
    maxRssBytes: maxRssKb * 1024,
    rssSource: polledKb === undefined ? 'GNU time ru_maxrss' : '/proc VmHWM polling',
    backend,
    alerts: summary.alerts,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const capture = process.argv[2] ?? 'bench/out/bench-1m.pcap';
  const runs = Number(process.argv[3] ?? 1);
  for (let i = 0; i < runs; i++) console.log(JSON.stringify(await benchPipeline(capture)));
}
