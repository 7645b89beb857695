import { describe, expect, it } from 'vitest';
import type { SegmentsConfig } from '../../config/schema.js';
import type { FlowRecord } from '../../core/flow-record.js';
import { gaussian, seededRandom } from '../seeded-random.js';
import { fitAdaptation } from './fit-forecaster.js';
import { DEFAULT_FORECASTER_PARAMS } from './holt-winters.js';
import { forecastSeries, trainForecaster } from './train-forecaster.js';

const segments = {
  internalNetworks: ['10.0.0.0/8'],
  definitions: [
    { name: 'a', cidrs: ['10.1.0.0/24'], vlans: [], exporters: [] },
    { name: 'b', cidrs: ['10.2.0.0/24'], vlans: [], exporters: [] },
  ],
  autoPrefixV4: 24,
  autoPrefixV6: 64,
  maxSegments: 64,
} as unknown as SegmentsConfig;

function flow(t: number, src: string): FlowRecord {
  return {
    start: t,
    end: t,
    srcIp: src,
    dstIp: '8.8.8.8',
    srcPort: 1000,
    dstPort: 53,
    proto: 17,
  } as FlowRecord;
}

describe('forecaster training data', () => {
  it('counts benign flows per segment and tick, leaving malicious flows and short segments out', () => {
    const flows: FlowRecord[] = [];
    const labels: number[] = [];
    for (let t = 0; t < 40; t++) {
      for (let i = 0; i < 3 + (t % 2); i++, labels.push(0)) flows.push(flow(t * 10_000 + i, '10.1.0.5'));
      flows.push(flow(t * 10_000 + 9, '10.1.0.66'));
      labels.push(t === 5 ? 1 : 0);
      if (t < 10) {
        flows.push(flow(t * 10_000 + 5, '10.2.0.7'));
        labels.push(0);
      }
    }
    const series = forecastSeries([{ flows, labels: Uint8Array.from(labels) }], segments, 10);
    expect(series.map((s) => s.name)).toEqual(['0/a']);
    const counts = series[0]!.counts;
    expect(counts.length).toBe(40);
    expect([counts[0], counts[1], counts[5]]).toEqual([4, 5, 4]);
    const file = trainForecaster(
      [{ flows }],
      { segments, forecast: { tickSeconds: 10, seasonTicks: 0 } },
      1,
      10,
    );
    expect(file.training.series).toBe(1);
    expect(file.training.fittedMase).toBeLessThanOrEqual(file.training.defaultMase);
    expect(flows[0]!.segment).toBeUndefined();
  });
});

describe('fitAdaptation', () => {
  it('turns adaptation on when segments differ and the shared values fit none of them well', () => {
    const g = gaussian(seededRandom(9));
    const walk = () => {
      let level = 100;
      return Float64Array.from({ length: 300 }, () => {
        level += 10 * g();
        return level;
      });
    };
    const series = [walk(), walk(), walk()];
    // A shared value far from these segments' optimum (α ≈ 1): adapting from it helps.
    const init = { ...DEFAULT_FORECASTER_PARAMS, alpha: 0.05, beta: 0 };
    const fit = fitAdaptation(series, init, { adaptTicks: 60 });
    expect(fit.pull).toBeDefined();
    const off = fit.tailMase.find((r) => r.pull === undefined)!.mase;
    expect(Math.min(...fit.tailMase.map((r) => r.mase))).toBeLessThan(off);
    // Constant or too short series leave it off.
    expect(fitAdaptation([new Float64Array(100).fill(3)], init).pull).toBeUndefined();
  });
});
