import { describe, expect, it } from 'vitest';
import { runDaemon, tempDir, writeConfig } from './support/daemon-process.js';

describe('bad configuration', () => {
  it('exits 2 with one line naming the file and field', async () => {
    const dir = tempDir();
    const file = writeConfig(dir, 'features:\n  lambdas: [5, 3, -1]\n');
    const run = await runDaemon(['run', '--config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      `tapwatch: ${file}: features.lambdas[2]: expected a number > 0, got -1 (line 2)`,
    );
  });

  it('rejects unknown keys in check-config', async () => {
    const dir = tempDir();
    const file = writeConfig(dir, 'telemetry:\n  lissten: 127.0.0.1:1\n');
    const run = await runDaemon(['check-config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}: telemetry.lissten: unknown key (allowed: listen, logLevel)`);
  });

  it('accepts the bundled config', async () => {
    const run = await runDaemon(['check-config']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/config\/tapwatch\.yaml: ok/);
  });

  it('exits 2 on an unknown command or option', async () => {
    expect((await runDaemon(['frobnicate'])).code).toBe(2);
    expect((await runDaemon(['run', '--frob'])).code).toBe(2);
  });
});
