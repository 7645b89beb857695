import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from './support/daemon-process.js';

const run = promisify(execFile);

/** `tapwatch eval` on the bundled sample, as a user runs it: summary, eval.json and report.html. */
describe('tapwatch eval', () => {
  it('evaluates the sample against its per-packet labels', async () => {
    const out = path.join(tempDir(), 'eval');
    const { stdout } = await run(
      process.execPath,
      [
        path.join(repoRoot, 'dist', 'main.js'),
        'eval',
        path.join(repoRoot, 'samples', 'sample.pcap'),
        '--labels',
        path.join(repoRoot, 'samples', 'sample.pcap.labels.csv'),
        '--out',
        out,
        '--budgets',
        '128,1024',
      ],
      { cwd: repoRoot, timeout: 170_000 },
    );
    expect(stdout).toMatch(/^ROC-AUC +\d\.\d{3}$/m);
    expect(stdout).toMatch(/^PR-AUC +\d\.\d{3}$/m);
    expect(stdout).toMatch(/^false-alert rate .*\(target q 0\.001\)$/m);
    expect(stdout).toMatch(/n=128 +steps=\d+ +ROC-AUC/);
    const result = JSON.parse(readFileSync(path.join(out, 'eval.json'), 'utf8'));
    expect(result.input.malicious).toBeGreaterThan(0);
    expect(result.ranking.rocAuc).toBeGreaterThan(0.5);
    expect(result.model.method).toMatch(/reptile|pooled/);
    expect(result.model.forecaster).toBe('forecaster.json');
    expect(result.segments.map((s: { segment: string }) => s.segment).sort()).toEqual([
      'iot',
      'office',
      'servers',
    ]);
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(existsSync(path.join(out, 'report.html'))).toBe(true);
    expect(html).toMatch(/^<!doctype html>[\s\S]*<\/html>\n$/);
    expect(html.match(/<svg /g)?.length).toBe(3);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('runs the volume forecaster on its config defaults with --no-forecaster', async () => {
    const out = path.join(tempDir(), 'eval');
    const args = ['eval', path.join(repoRoot, 'samples', 'sample.pcap'), '--budgets', '1024', '--out', out];
    await run(process.execPath, [path.join(repoRoot, 'dist', 'main.js'), ...args, '--no-forecaster'], {
      cwd: repoRoot,
      timeout: 170_000,
    });
    const result = JSON.parse(readFileSync(path.join(out, 'eval.json'), 'utf8'));
    expect(result.model.forecaster).toBe('defaults');
    expect(result.model.method).toMatch(/reptile|pooled/);
  });
});
