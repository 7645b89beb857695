#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from './config/load-config.js';
import { TapwatchError } from './core/errors.js';
import { Daemon } from './daemon.js';

/** Exit codes: 0 done, 1 runtime failure (e.g. a corrupt capture), 2 bad usage or config. */
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const DRAIN_DEADLINE_MS = 15_000;

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const defaultConfig = path.join(packageRoot, 'config', 'tapwatch.yaml');
const version = (
  JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }
).version;

const USAGE = `usage: tapwatch <command> [options]

commands:
  run                         run the daemon on the inputs in the config (default)
  replay <capture>...         score capture files (pcap or pcapng), then print a summary
  check-config [file]         validate a config file and exit (0 valid, 2 invalid)
  meta-train <input>...       meta-train the initialization new segments start from (--help for options)
  eval <input>                score a labelled capture or flow file, write eval.json and report.html (--help)

options:
  -c, --config <file>         config file (default: ${path.relative(process.cwd(), defaultConfig) || defaultConfig})
  -s, --speed <x>             replay pace: 0 = as fast as possible (default), 1 = original, 10 = ten times
  -v, --verbose               stack traces on errors, debug logs
  -h, --help                  this text
      --version               print the version`;

async function main(argv: string[]): Promise<number> {
  // Offline commands have options of their own; they never start the daemon.
  const offline = { version, defaultConfig, stdout: process.stdout, stderr: process.stderr };
  if (argv[0] === 'meta-train') {
    verbose = argv.includes('--verbose') || argv.includes('-v');
    const { runMetaTrain } = await import('./meta/training/meta-train-command.js');
    return runMetaTrain(
      argv.slice(1).filter((a) => a !== '--verbose' && a !== '-v'),
      offline,
    );
  }
  if (argv[0] === 'eval') {
    verbose = argv.includes('--verbose') || argv.includes('-v');
    const { runEval } = await import('./eval/eval-command.js');
    return runEval(
      argv.slice(1).filter((a) => a !== '--verbose' && a !== '-v'),
      offline,
    );
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      speed: { type: 'string', short: 's' },
      verbose: { type: 'boolean', short: 'v', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', default: false },
    },
  });
  if (values.help) return print(USAGE, 0);
  if (values.version) return print(`tapwatch ${version}`, 0);
  const [command = 'run', ...rest] = positionals;
  verbose = values.verbose;

  if (command === 'check-config') {
    const file = rest[0] ?? values.config ?? defaultConfig;
    loadConfig(file);
    return print(`${file}: ok`, 0);
  }
  if (command !== 'run' && command !== 'replay') throw usageError(`unknown command "${command}"`);
  if (command === 'run' && rest.length > 0)
    throw usageError(`run takes no arguments, got "${rest.join(' ')}"`);
  if (command === 'replay' && rest.length === 0) throw usageError('replay needs at least one capture file');

  const loaded = loadConfig(values.config ?? defaultConfig);
  const speed = values.speed === undefined ? undefined : parseSpeed(values.speed);
  const files = command === 'replay' ? rest.map((f) => path.resolve(f)) : undefined;
  const daemon = await Daemon.start(loaded, { version, verbose: values.verbose, files, speed });
  installSignals(daemon, loaded.file);
  return daemon.done;
}

function installSignals(daemon: Daemon, configFile: string): void {
  let stopping = false;
  const onStop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`tapwatch: second ${signal}, exiting without draining\n`);
      process.exit(EXIT_FAILURE);
    }
    stopping = true;
    const deadline = setTimeout(() => {
      process.stderr.write(`tapwatch: drain did not finish within ${DRAIN_DEADLINE_MS} ms, exiting\n`);
      process.exit(EXIT_FAILURE);
    }, DRAIN_DEADLINE_MS);
    deadline.unref();
    void daemon.stop(signal);
  };
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  // Node exits on SIGHUP unless it is handled: validate the file, then swap; keep the old config on failure.
  process.on('SIGHUP', () => daemon.reload(() => loadConfig(configFile)));
  // SIGUSR1 belongs to Node's inspector.
  process.on('SIGUSR2', () => daemon.dumpStats());
}

function parseSpeed(text: string): number {
  const speed = Number(text);
  if (!Number.isFinite(speed) || speed < 0)
    throw usageError(`--speed: expected a number >= 0, got "${text}"`);
  return speed;
}

function usageError(message: string): TapwatchError {
  return new TapwatchError('TAPWATCH_USAGE', `${message}\n${USAGE}`);
}

function print(text: string, code: number): number {
  process.stdout.write(`${text}\n`);
  return code;
}

let verbose = false;

function exitCodeFor(err: unknown): number {
  if (err instanceof TapwatchError) {
    return err.code === 'TAPWATCH_CONFIG_INVALID' || err.code === 'TAPWATCH_USAGE'
      ? EXIT_USAGE
      : EXIT_FAILURE;
  }
  if (err instanceof TypeError && (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    return EXIT_USAGE;
  }
  return EXIT_FAILURE;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // The run has drained, flushed and committed everything; a socket a client library failed to
    // release (kafkajs after a broker outage) must not keep the finished daemon alive.
    setTimeout(() => process.exit(), 2_000).unref();
  },
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`tapwatch: ${message}\n`);
    if (verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = exitCodeFor(err);
    // Whatever handle a failed stage left open must not keep a failed process alive.
    setTimeout(() => process.exit(), 5_000).unref();
  },
);
