import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertToPcapng, requireTools } from './support/capture-tools.js';
import { tempDir } from './support/daemon-process.js';
import { type ReplayResult, replay, samplePcap, writeReplayConfig } from './support/replay.js';

/**
 * The bundled sample as pcapng (`editcap -F pcapng`) must give the run the classic file gives: the
 * reader is picked by magic number, both compute the same timestamps and packet numbers, and a
 * replay as fast as possible is deterministic.
 *
 * Alert ids hash the input's identity — format and path — with the packet positions
 * (src/alerts/alert-id.ts), so a SIEM drops a re-read of the same file but keeps the same packets
 * read from another file. The converted file therefore gets its own ids, repeatable run to run,
 * and every other field of every alert must match the classic run.
 */
type AlertDocument = Record<string, unknown> & {
  event: Record<string, unknown>;
  tapwatch: { input: Record<string, unknown> };
};

function withoutInputIdentity(line: string): AlertDocument {
  const alert = JSON.parse(line) as AlertDocument;
  delete alert.event.id;
  delete alert.tapwatch.input.format;
  delete alert.tapwatch.input.origin;
  return alert;
}

const alertLines = (run: ReplayResult) => run.stdout.split('\n').filter((line) => line.startsWith('{'));

describe('the sample as pcapng', () => {
  let converted: string;
  let classic: ReplayResult;
  let pcapng: ReplayResult;
  let pcapngAgain: ReplayResult;

  beforeAll(async () => {
    requireTools(['editcap']);
    const dir = tempDir('tapwatch-pcapng-');
    converted = path.join(dir, 'sample.pcapng');
    convertToPcapng(samplePcap, converted);
    const config = writeReplayConfig(dir);
    classic = await replay([samplePcap], config, { timeoutMs: 60_000 });
    pcapng = await replay([converted], config, { timeoutMs: 60_000 });
    pcapngAgain = await replay([converted], config, { timeoutMs: 60_000 });
  });

  it('replays both files to the end', () => {
    expect(classic.code, classic.stderr).toBe(0);
    expect(pcapng.code, pcapng.stderr).toBe(0);
    expect(pcapngAgain.code, pcapngAgain.stderr).toBe(0);
  });

  it('reads the same packets and builds the same flows', () => {
    expect(pcapng.summary!.packets).toBe(56_489);
    expect(pcapng.summary!.packets).toBe(classic.summary!.packets);
    expect(pcapng.summary!.flows).toBe(classic.summary!.flows);
    expect(pcapng.summary!.segments).toEqual(classic.summary!.segments);
    expect(pcapng.summary!.decodeErrors).toEqual(classic.summary!.decodeErrors);
  });

  it('gives the same alert ids on every replay of the pcapng file', () => {
    const ids = pcapng.alerts.map((a) => a.event.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    expect(pcapngAgain.alerts.map((a) => a.event.id)).toEqual(ids);
  });

  it('raises the same alerts as the classic file, differing only in the input identity', () => {
    expect(pcapng.alerts.length).toBe(classic.alerts.length);
    expect(pcapng.summary!.alerts).toEqual(classic.summary!.alerts);
    expect(alertLines(pcapng).map(withoutInputIdentity)).toEqual(
      alertLines(classic).map(withoutInputIdentity),
    );
    for (const alert of pcapng.alerts as unknown as AlertDocument[])
      expect(alert.tapwatch.input).toMatchObject({ format: 'pcapng', origin: converted });
  });
});
