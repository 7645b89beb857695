import { describe, expect, it } from 'vitest';
import type { RankingMetrics } from './ranking-metrics.js';
import { macroRows, type SuiteRow, spliceGenerated, suiteMarkdown } from './suite-markdown.js';

const metrics = (rocAuc: number): RankingMetrics => ({
  rocAuc,
  prAuc: rocAuc,
  tprAtFpr1e3: 0,
  tprAtFpr1e2: 0,
  positives: Number.isNaN(rocAuc) ? 0 : 5,
  negatives: 100,
});

function row(dataset: string, method: string, rocAuc: number): SuiteRow {
  return {
    dataset,
    protocol: 'one-class',
    method,
    flows: 200,
    adaptationFlows: 100,
    scoredFlows: 100,
    malicious: 5,
    ranking: metrics(rocAuc),
    falseAlertRate: 0,
  };
}

describe('suite macro averages', () => {
  // Dataset y has no positive for method B: it leaves every method's macro, not only B's.
  const rows = [row('x', 'A', 0.9), row('x', 'B', 0.7), row('y', 'A', 0.5), row('y', 'B', Number.NaN)];

  it('average every method over the same datasets', () => {
    const macro = macroRows(rows, 'one-class');
    expect(macro.map((m) => m.datasets)).toEqual([['x'], ['x']]);
    expect(macro.map((m) => m.rocAuc)).toEqual([0.9, 0.7]);
  });

  it('names the common datasets and keeps the protocols apart in the markdown', () => {
    const text = suiteMarkdown([...rows, { ...row('x', 'A', 0.2), protocol: 'first-flows' }], {
      budget: 256,
      seconds: 1,
      q: 0.001,
    });
    expect(text).toMatch(
      /### 1\. One-class[\s\S]*\(1: x\)[\s\S]*\| A \| 0\.900 \|[\s\S]*### 2\. As deployed[\s\S]*\| A \| 0\.200 \|/,
    );
  });
});

describe('generated blocks', () => {
  it('appends a missing block under its heading, then replaces only its body and keeps the prose', () => {
    const first = spliceGenerated('# Doc\n\nprose\n', 'x', 'table 1\n', '## X');
    expect(first).toMatch(
      /^# Doc\n\nprose\n\n## X\n\n<!-- generated:x by [^\n]*-->\ntable 1\n<!-- end generated:x -->\n$/,
    );
    const edited = `${first}\nreading of X\n`;
    const second = spliceGenerated(edited, 'x', 'table 2\n', '## X');
    expect(second).toBe(edited.replace('table 1', 'table 2'));
    expect(spliceGenerated(second, 'y', 'other\n', '## Y')).toContain('table 2\n<!-- end generated:x -->');
  });
});
