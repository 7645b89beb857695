import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load-config.js';
import { parseListen, TelemetryServer } from '../../src/telemetry/http-server.js';
import { repoRoot } from './support/promql.js';

const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
const containerConfig = path.join(repoRoot, 'deploy/tapwatch-container.yaml');

/** Instructions with continuation lines joined; comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'))
  .map((l) => {
    const space = l.indexOf(' ');
    return { op: l.slice(0, space).toUpperCase(), args: l.slice(space + 1).trim() };
  });
const stages = instructions.reduce<{ op: string; args: string }[][]>((acc, ins) => {
  if (ins.op === 'FROM') acc.push([]);
  acc.at(-1)?.push(ins);
  return acc;
}, []);
const runtime = stages.at(-1)!;
const last = (op: string) => runtime.filter((i) => i.op === op).at(-1)?.args;

/** The default config's port (config/tapwatch.yaml). */
const defaultPort = parseListen(
  parse(readFileSync(path.join(repoRoot, 'config/tapwatch.yaml'), 'utf8')).telemetry.listen,
)[1];

describe('Dockerfile', () => {
  it('builds in a node:20-bookworm-slim stage and ships production dependencies only', () => {
    expect(stages).toHaveLength(2);
    expect(dockerfile).toMatch(/ARG NODE_IMAGE=node:20-bookworm-slim/);
    expect(stages[0]!.map((i) => i.args).join('\n')).toMatch(/npm ci[\s\S]*npm run build/);
    const runtimeRuns = runtime.filter((i) => i.op === 'RUN').map((i) => i.args);
    expect(runtimeRuns.join('\n')).toMatch(/npm ci --omit=dev/);
    expect(runtime.some((i) => i.op === 'COPY' && i.args.startsWith('--from=build /src/dist'))).toBe(true);
  });

  it('ships what the daemon reads at start: the build, the bundled config and the bundled model', () => {
    const copies = runtime.filter((i) => i.op === 'COPY').map((i) => i.args);
    for (const dir of ['config ./config', 'models ./models']) expect(copies).toContain(dir);
    const ignore = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8');
    for (const dir of ['!config/**', '!models/**', '!src/**']) expect(ignore).toContain(dir);
  });

  it('runs as a numeric non-root user', () => {
    expect(last('USER')).toBe('10001');
  });

  it('exposes the default telemetry port and health-checks /-/healthy', () => {
    expect(last('EXPOSE')).toBe(String(defaultPort));
    const healthcheck = /CMD (\[.*\])$/.exec(last('HEALTHCHECK')!)![1]!;
    const [node, flag, script] = JSON.parse(healthcheck) as string[];
    expect([node, flag]).toEqual(['node', '-e']);
    expect(script).toMatch(/fetch\(.*\/-\/healthy/);
    expect(last('HEALTHCHECK')).toContain(`'0.0.0.0:${defaultPort}'`);
  });

  it('has a health check that passes against a live telemetry server and fails without one', async () => {
    const script = (JSON.parse(/CMD (\[.*\])$/.exec(last('HEALTHCHECK')!)![1]!) as string[])[2]!;
    const server = new TelemetryServer({
      listen: '127.0.0.1:0',
      registry: new Registry(),
      isReady: () => true,
    });
    const { port } = await server.start();
    // Asynchronously: the server answers from this process's event loop.
    const check = (listen: string) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ['-e', script], {
          env: { ...process.env, TAPWATCH_LISTEN: listen },
          stdio: 'ignore',
          timeout: 10_000,
        });
        child.on('exit', (code) => resolve(code));
      });
    try {
      expect(await check(`0.0.0.0:${port}`)).toBe(0);
    } finally {
      await server.close();
    }
    expect(await check(`0.0.0.0:${port}`)).toBe(1);
  });

  it('starts the daemon with the container config', () => {
    expect(JSON.parse(last('ENTRYPOINT')!)).toEqual(['node', '/app/dist/main.js']);
    expect(JSON.parse(last('CMD')!)).toEqual(['run', '--config', '/etc/tapwatch/tapwatch.yaml']);
    expect(runtime.map((i) => i.args)).toContain(
      'deploy/tapwatch-container.yaml /etc/tapwatch/tapwatch.yaml',
    );
  });

  it('keeps what it copies in the build context (.dockerignore)', () => {
    const ignore = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8');
    expect(ignore).toMatch(/^\*\*$/m);
    for (const source of ['package.json', 'package-lock.json', 'src/**', 'config/**', 'samples/**']) {
      expect(ignore).toContain(`!${source}`);
    }
    expect(ignore).toContain('!deploy/tapwatch-container.yaml');
  });
});

describe('container config', () => {
  it('passes the project config loader and listens on every interface at the default port', () => {
    const { config } = loadConfig(containerConfig, {});
    expect(config.telemetry.listen).toBe(`0.0.0.0:${defaultPort}`);
    expect(config.input.capture.files).toEqual(['/app/samples/sample.pcap']);
    expect(config.input.capture.speed).toBe(1);
    expect(config.alerts.file.path).toBe('');
  });

  it('runs Node with one V8 helper thread, as the systemd unit does, for an instance of two cores', () => {
    const env = runtime.filter((i) => i.op === 'ENV').map((i) => i.args);
    expect(env).toContain('NODE_OPTIONS=--v8-pool-size=1');
    const unit = readFileSync(path.join(repoRoot, 'deploy/systemd/tapwatch.service'), 'utf8');
    expect(unit.split('\n')).toContain('Environment=NODE_OPTIONS=--v8-pool-size=1');
  });

  it('takes the common settings from the environment', () => {
    const { config } = loadConfig(containerConfig, {
      TAPWATCH_LISTEN: '[::]:9100',
      TAPWATCH_CAPTURE: '/data/capture.pcapng',
      TAPWATCH_REPLAY_SPEED: '0',
      TAPWATCH_ALERT_FILE: '/var/lib/tapwatch/alerts.jsonl',
      TAPWATCH_LOG_LEVEL: 'debug',
    });
    expect(config.telemetry).toEqual({ listen: '[::]:9100', logLevel: 'debug' });
    expect(config.input.capture).toEqual({ files: ['/data/capture.pcapng'], speed: 0 });
    expect(config.alerts.file.path).toBe('/var/lib/tapwatch/alerts.jsonl');
  });
});
