import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/promql.js';

const unitFile = path.join(repoRoot, 'deploy/systemd/tapwatch.service');
const text = readFileSync(unitFile, 'utf8');

/** Directives of one section, every value of repeated keys kept in order. */
function section(name: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = header[1]!;
      continue;
    }
    if (current !== name) continue;
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    out.set(key, [...(out.get(key) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

const service = section('Service');
const one = (key: string) => service.get(key)?.at(-1);

describe('systemd unit', () => {
  it('runs the daemon unprivileged with no capabilities', () => {
    expect(one('ExecStart')).toMatch(/dist\/main\.js run --config \/etc\/tapwatch\/tapwatch\.yaml$/);
    expect(one('User')).toBe('tapwatch');
    expect(one('DynamicUser')).toBe('yes');
    expect(one('CapabilityBoundingSet')).toBe('');
    expect(one('AmbientCapabilities')).toBe('');
    expect(one('NoNewPrivileges')).toBe('yes');
  });

  it('has the sandboxing the deployment conventions require', () => {
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('ProtectHome')).toBe('yes');
    expect(one('PrivateTmp')).toBe('yes');
    expect(one('RestrictAddressFamilies')?.split(/\s+/).sort()).toEqual(['AF_INET', 'AF_INET6', 'AF_UNIX']);
    expect(service.get('SystemCallFilter')).toContain('@system-service');
    expect(one('StateDirectory')).toBe('tapwatch');
    expect(one('ConfigurationDirectory')).toBe('tapwatch');
  });

  it('never denies W+X memory, which V8 needs for its JIT', () => {
    expect(service.has('MemoryDenyWriteExecute')).toBe(false);
    expect(text).toMatch(/# MemoryDenyWriteExecute is deliberately not set: V8/);
  });

  it('reloads with SIGHUP, restarts on failure but not on a bad config, and outlasts the drain deadline', () => {
    expect(one('ExecReload')).toBe('/bin/kill -HUP $MAINPID');
    expect(one('Restart')).toBe('on-failure');
    expect(one('RestartPreventExitStatus')).toBe('2');
    // src/main.ts drains within 15 s of SIGTERM before exiting on its own.
    const drainMs = Number(
      /DRAIN_DEADLINE_MS = ([\d_]+)/
        .exec(readFileSync(path.join(repoRoot, 'src/main.ts'), 'utf8'))![1]!
        .replaceAll('_', ''),
    );
    expect(drainMs).toBe(15_000);
    expect(Number.parseInt(one('TimeoutStopSec')!, 10) * 1000).toBeGreaterThan(drainMs);
  });

  it('passes systemd-analyze verify', () => {
    const tool = '/usr/bin/systemd-analyze';
    if (!existsSync(tool)) throw new Error(`${tool} not found: install the systemd package`);
    const out = execFileSync(tool, ['verify', unitFile], { encoding: 'utf8', stdio: 'pipe' });
    expect(out).toBe('');
  });
});
