import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PcapWriter } from '../tools/pcap-writer.js';
import { mixCaptures, readClassicPcap } from './stopddos-mix.js';
import { stopddosMarkdown, stopddosRow, stopddosSuite } from './stopddos-suite.js';

describe('stopddos suite rows', () => {
  it('measures ranking, alert recall and false alerts on ready-scored flows', () => {
    const labels = Uint8Array.from([0, 0, 0, 1, 1, 1]);
    const run = {
      scores: Float64Array.from([1, 2, 6, 5, 7, 9]),
      thresholds: new Float64Array(6).fill(4),
      ready: Uint8Array.from([1, 1, 1, 1, 1, 0]),
    };
    const row = stopddosRow('toy.pcap', run, labels);
    expect(row).toMatchObject({ flows: 6, attackFlows: 3, scoredFlows: 5, scoredAttackFlows: 2, alerts: 3 });
    expect(row.alertRecall).toBeCloseTo(2 / 3);
    expect(row.falseAlertRate).toBeCloseTo(1 / 3);
    expect(row.ranking.rocAuc).toBeCloseTo(5 / 6);
    expect(stopddosMarkdown({ rows: [row] }, { q: 0.001, warmupFlows: 256 })).toContain(
      '| toy.pcap | 6 | 3 | 2 |',
    );
  });

  it('returns no rows and the reason when the data is missing', async () => {
    const result = await stopddosSuite({
      config: {} as never,
      dataDir: path.join(tmpdir(), 'tapwatch-no-such-dir'),
    });
    expect(result.rows).toEqual([]);
    expect(result.reason).toMatch(/no StopDDoS captures/);
    expect(stopddosMarkdown(result, { q: 0.001, warmupFlows: 256 })).toMatch(/Not run/);
  });
});

describe('mixCaptures', () => {
  it('shifts the attack to the given start, merges in time order and labels packets by source', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tw-mix-'));
    const write = (file: string, timesMs: number[], byte: number, big = false) => {
      const w = new PcapWriter(path.join(dir, file), {
        snapLength: 80,
        ...(big ? { endianness: 'big' as const, resolution: 'nano' as const } : {}),
      });
      for (const t of timesMs) w.writePacket(t, new Uint8Array(60).fill(byte));
      w.close();
      return path.join(dir, file);
    };
    const benign = write('b.pcap', [1_000, 3_000, 5_000], 1);
    const attack = write('a.pcap', [90_000, 90_500], 2, true);
    const out = path.join(dir, 'm.pcap');
    const mix = mixCaptures(benign, attack, out, 2_000);
    expect(mix).toMatchObject({ packets: 5, attackPackets: 2, attackStartMs: 2000, attackEndMs: 2500 });
    const merged = readClassicPcap(out);
    expect(merged.records.map((r) => r.tsUs)).toEqual([1e6, 2e6, 2.5e6, 3e6, 5e6]);
    expect(merged.records.map((r) => r.data[0])).toEqual([1, 2, 2, 1, 1]);
    expect((await readFile(`${out}.labels.csv`, 'utf8')).trim().split('\n')).toEqual([
      '0',
      '1',
      '1',
      '0',
      '0',
    ]);
  });
});
