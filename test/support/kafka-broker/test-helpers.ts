/** Small helpers shared by the broker's own tests. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';

/** Polls `condition` every 25 ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A kafkajs client for the test broker: quiet, with short retries so outage tests stay quick. */
export function kafkaClient(brokers: string[], overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: 'broker-test',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 10 },
    ...overrides,
  });
}

/** Output of one kcat run. */
export interface KcatResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A kcat process that keeps running (a consumer-group member) until {@link KcatProcess.stop}. */
export interface KcatProcess {
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Sends `signal` (SIGINT lets kcat leave its group cleanly) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<KcatResult>;
}

const KCAT = '/usr/bin/kcat';

/**
 * Starts kcat (librdkafka's command-line client) with `args`, feeding `input` on stdin. A missing kcat is a
 * failure, not a skip: CI installs it, and these tests are the check that the broker is not shaped to kafkajs
 * alone. The process is killed after `timeoutMs` whatever happens.
 */
export function spawnKcat(args: string[], input = '', timeoutMs = 20_000): KcatProcess {
  if (!existsSync(KCAT)) {
    throw new Error(
      `${KCAT} not found: the kcat cross-checks need librdkafka's kcat (apt-get install -y kcat)`,
    );
  }
  const child = spawn(KCAT, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin.end(input);
  const exited = once(child, 'close') as Promise<[number | null]>;
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    async stop(signal?: NodeJS.Signals) {
      if (signal !== undefined && child.exitCode === null) child.kill(signal);
      try {
        const [code] = await exited;
        // Killed without being asked to: the timeout fired, which is a failure of the test, not of cleanup.
        if (code === null && signal === undefined) {
          throw new Error(`kcat ${args.join(' ')} killed after ${timeoutMs} ms; stderr: ${stderr}`);
        }
        return { code, stdout, stderr };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs kcat to completion (see {@link spawnKcat}). */
export function runKcat(args: string[], input = '', timeoutMs = 20_000): Promise<KcatResult> {
  return spawnKcat(args, input, timeoutMs).stop();
}
