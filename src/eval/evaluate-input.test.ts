import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { readLabelledInput } from '../ingest/files/read-labelled-input.js';
import { generateCapture } from '../tools/traffic/generate-capture.js';
import { evaluateInput } from './evaluate-input.js';
import { formatEvalSummary } from './format-eval-summary.js';
import { reportHtml } from './report-html.js';

describe('evaluateInput', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('scores a small generated capture end to end and reports every figure', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tapwatch-eval-'));
    const capture = path.join(dir, 'small.pcap');
    generateCapture({ out: capture, seed: 5, packets: 6000, snapLength: 80, vlanTags: false });
    const config = configSchema.parse({
      segments: {
        definitions: [
          { name: 'office', cidrs: ['10.10.1.0/24'] },
          { name: 'servers', cidrs: ['10.20.0.0/24'] },
          { name: 'iot', cidrs: ['10.30.0.0/24'] },
        ],
      },
      detector: { backend: 'cpu', warmupFlows: 80, warmupEpochs: 3 },
    });
    const input = await readLabelledInput(capture, config.flows, { siblingLabels: true });
    expect(input.labels?.some((l) => l === 1)).toBe(true);
    const { result, run, labels } = await evaluateInput(input, {
      config,
      model: { name: 'none', method: 'random' },
      budgets: [80, 96],
    });
    expect(result.input.flows).toBe(input.flows.length);
    expect(result.scoredFlows).toBeGreaterThan(0);
    expect(result.ranking.rocAuc).toBeGreaterThanOrEqual(0);
    expect(result.ranking.rocAuc).toBeLessThanOrEqual(1);
    expect(result.adaptationCurve.map((c) => c.budget)).toEqual([80, 96]);
    expect(result.segments.every((s) => s.flowsToReady >= 80 || s.flowsToReady === -1)).toBe(true);
    const html = reportHtml(result, run, labels);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script/);
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(formatEvalSummary(result, dir)).toMatch(/ROC-AUC +\d\.\d{3}/);
  });
});
