import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SinkError } from '../../core/errors.js';
import { buildAlert } from '../build-alert.js';
import { classifyDetection } from '../classify-detection.js';
import { makeDetection, makeFlow } from '../testing/make-detection.js';
import { RotatingFileSink } from './rotating-file-sink.js';

function alertNo(i: number) {
  const detection = makeDetection({ flow: makeFlow({ srcPort: 1000 + i }) });
  return buildAlert(detection, classifyDetection(detection));
}

const LINE_BYTES = Buffer.byteLength(`${JSON.stringify(alertNo(1))}\n`);

/** Source ports of the lines in a file; every line must be whole JSON. */
async function portsIn(path: string): Promise<number[]> {
  const text = await readFile(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .trimEnd()
    .split('\n')
    .map((line) => (JSON.parse(line) as { source: { port: number } }).source.port);
}

describe('RotatingFileSink', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tapwatch-rotate-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('rotates by size, numbers old files newest first and keeps only `keep` of them', async () => {
    const path = join(dir, 'alerts.jsonl');
    const sink = await RotatingFileSink.open(path, { maxBytes: LINE_BYTES * 3, keep: 2 });
    for (let i = 0; i < 10; i++) await sink.write(alertNo(i));
    await sink.close();
    expect(await portsIn(path)).toEqual([1009]);
    expect(await portsIn(`${path}.1`)).toEqual([1006, 1007, 1008]);
    expect(await portsIn(`${path}.2`)).toEqual([1003, 1004, 1005]);
    expect(existsSync(`${path}.3`)).toBe(false);
    expect(sink.rotations).toBe(3);
  });

  it('gives a line longer than maxBytes a file of its own instead of splitting it', async () => {
    const path = join(dir, 'alerts.jsonl');
    const sink = await RotatingFileSink.open(path, { maxBytes: 100, keep: 5 });
    for (let i = 0; i < 3; i++) await sink.write(alertNo(i));
    await sink.close();
    expect(await portsIn(`${path}.2`)).toEqual([1000]);
    expect(await portsIn(`${path}.1`)).toEqual([1001]);
    expect(await portsIn(path)).toEqual([1002]);
  });

  it('rotates by age on the next write', async () => {
    let now = 1_000_000;
    const path = join(dir, 'alerts.jsonl');
    const sink = await RotatingFileSink.open(path, { maxAgeSeconds: 60, now: () => now });
    await sink.write(alertNo(1));
    now += 59_000;
    await sink.write(alertNo(2));
    now += 1000;
    await sink.write(alertNo(3));
    await sink.close();
    expect(await portsIn(`${path}.1`)).toEqual([1001, 1002]);
    expect(await portsIn(path)).toEqual([1003]);
  });

  it('keeps every line whole and in order under racing writes, backpressure and rotation', async () => {
    const path = join(dir, 'alerts.jsonl');
    const sink = await RotatingFileSink.open(path, {
      maxBytes: LINE_BYTES * 7,
      keep: 100,
      highWaterMarkBytes: 64,
    });
    await Promise.all(Array.from({ length: 100 }, (_, i) => sink.write(alertNo(i))));
    await sink.flush();
    const files = [
      ...Array.from({ length: sink.rotations }, (_, i) => `${path}.${sink.rotations - i}`),
      path,
    ];
    const ports = (await Promise.all(files.map(portsIn))).flat();
    expect(ports).toEqual(Array.from({ length: 100 }, (_, i) => 1000 + i));
    expect(sink.rotations).toBe(14);
    await sink.close();
  });

  it('counts an existing file toward maxBytes and keeps no old file with keep 0', async () => {
    const path = join(dir, 'alerts.jsonl');
    await writeFile(path, `${JSON.stringify(alertNo(0))}\n`.repeat(2));
    const sink = await RotatingFileSink.open(path, { maxBytes: LINE_BYTES * 2, keep: 0 });
    await sink.write(alertNo(5));
    await sink.close();
    expect(await portsIn(path)).toEqual([1005]);
    expect(existsSync(`${path}.1`)).toBe(false);
  });

  it('writes other formats one per line', async () => {
    const path = join(dir, 'alerts.cef');
    const sink = await RotatingFileSink.open(path, { format: 'cef' });
    await sink.write(alertNo(1));
    await sink.close();
    expect(await readFile(path, 'utf8')).toMatch(/^CEF:0\|tapwatch\|[^\n]*\n$/);
  });

  it('closes once and refuses writes afterwards', async () => {
    const sink = await RotatingFileSink.open(join(dir, 'a.jsonl'));
    const closing = sink.close();
    expect(sink.close()).toBe(closing);
    await closing;
    await expect(sink.write(alertNo(1))).rejects.toBeInstanceOf(SinkError);
  });

  it('names the path when the file cannot be opened', async () => {
    await expect(RotatingFileSink.open(dir)).rejects.toThrow(
      new RegExp(`${dir}: cannot open the alert file`),
    );
  });
});
