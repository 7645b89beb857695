import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPTURE_START_MS, type CaptureSummary, generateCapture } from './generate-capture.js';

const dir = mkdtempSync(join(tmpdir(), 'generate-capture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Record timestamps (ms) and total count of a little-endian microsecond pcap. */
function readRecords(path: string): { timesMs: number[]; origBytes: number } {
  const bytes = readFileSync(path);
  expect(bytes.readUInt32LE(0)).toBe(0xa1b2c3d4);
  const timesMs: number[] = [];
  let origBytes = 0;
  for (let at = 24; at < bytes.length; ) {
    timesMs.push(bytes.readUInt32LE(at) * 1000 + bytes.readUInt32LE(at + 4) / 1000);
    origBytes += bytes.readUInt32LE(at + 12);
    at += 16 + bytes.readUInt32LE(at + 8);
  }
  return { timesMs, origBytes };
}

describe('generateCapture', () => {
  let summary: CaptureSummary;
  const out = join(dir, 'a.pcap');

  beforeAll(() => {
    summary = generateCapture({ out, seed: 7 });
  });

  it('regenerates byte-identical files from the same seed', () => {
    const again = join(dir, 'b.pcap');
    generateCapture({ out: again, seed: 7 });
    expect(sha256(again)).toBe(sha256(out));
    expect(sha256(`${again}.labels.csv`)).toBe(sha256(`${out}.labels.csv`));
    expect(readFileSync(`${again}.attacks.json`, 'utf8')).toBe(readFileSync(`${out}.attacks.json`, 'utf8'));
    generateCapture({ out: join(dir, 'c.pcap'), seed: 8 });
    expect(sha256(join(dir, 'c.pcap'))).not.toBe(sha256(out));
  });

  it('keeps the default sample small', () => {
    expect(summary.packets).toBeGreaterThan(30_000);
    expect(summary.packets).toBeLessThan(60_000);
    expect(readFileSync(out).length).toBe(summary.fileBytes);
    expect(summary.fileBytes).toBeLessThan(5 * 2 ** 20);
  });

  it('writes one label per packet, consistent with the ground truth', () => {
    const labels = readFileSync(`${out}.labels.csv`, 'utf8').trimEnd().split('\n');
    const { timesMs } = readRecords(out);
    expect(labels.length).toBe(timesMs.length);
    expect(labels.length).toBe(summary.packets);
    expect(labels.every((l) => l === '0' || l === '1')).toBe(true);
    const attackPackets = labels.filter((l) => l === '1').length;
    expect(attackPackets).toBe(summary.attackPackets);
    expect(summary.attacks.reduce((n, a) => n + a.packets, 0)).toBe(attackPackets);
    for (let i = 1; i < timesMs.length; i++) expect(timesMs[i]).toBeGreaterThanOrEqual(timesMs[i - 1]);
    // Every attack-labelled packet falls inside some attack's span.
    timesMs.forEach((t, i) => {
      if (labels[i] === '1') {
        expect(summary.attacks.some((a) => t >= a.startMs - 0.001 && t <= a.endMs + 0.001)).toBe(true);
      }
    });
  });

  it('starts every attack after each segment has seen at least 2,000 benign flows', () => {
    expect(summary.attacks.map((a) => a.kind).sort()).toEqual([
      'beaconing',
      'exfiltration',
      'port_scan',
      'syn_flood',
    ]);
    expect(summary.segments.map((s) => s.cidrs[0])).toEqual(['10.10.1.0/24', '10.20.0.0/24', '10.30.0.0/24']);
    for (const s of summary.segments) expect(s.benignFlowsBeforeAttacks).toBeGreaterThanOrEqual(2000);
    for (const a of summary.attacks) {
      expect(a.packets).toBeGreaterThan(100);
      expect(a.startMs).toBeGreaterThan(CAPTURE_START_MS);
      expect(a.endMs).toBeGreaterThan(a.startMs + 30_000);
      expect(a.endMs).toBeLessThanOrEqual(summary.captureEndMs);
    }
  });

  it('scales to a requested packet count', () => {
    const scaled = generateCapture({ out: join(dir, 'scaled.pcap'), seed: 7, packets: 120_000 });
    expect(Math.abs(scaled.packets - 120_000) / 120_000).toBeLessThan(0.05);
    expect(scaled.scale).toBeGreaterThan(1.5);
    const flood = scaled.attacks.find((a) => a.kind === 'syn_flood');
    const baseFlood = summary.attacks.find((a) => a.kind === 'syn_flood');
    expect(flood!.packets / baseFlood!.packets).toBeCloseTo(scaled.scale, 0);
  });
});
