import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SinkError } from '../../core/errors.js';
import { buildAlert } from '../build-alert.js';
import { classifyDetection } from '../classify-detection.js';
import { makeDetection, makeFlow } from '../testing/make-detection.js';
import { JsonlFileSink } from './jsonl-file-sink.js';

function alertNo(i: number) {
  const detection = makeDetection({ flow: makeFlow({ srcPort: 1000 + i }) });
  return buildAlert(detection, classifyDetection(detection));
}

async function readLines(path: string): Promise<unknown[]> {
  const text = await readFile(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
}

describe('JsonlFileSink', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tapwatch-jsonl-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the directory and writes one parseable ECS document per line', async () => {
    const path = join(dir, 'nested', 'deeper', 'alerts.jsonl');
    const sink = await JsonlFileSink.open(path);
    await sink.write(alertNo(1));
    await sink.write(alertNo(2));
    await sink.close();
    const lines = (await readLines(path)) as { source: { port: number }; event: { kind: string } }[];
    expect(lines.map((l) => l.source.port)).toEqual([1001, 1002]);
    expect(lines.every((l) => l.event.kind === 'alert')).toBe(true);
  });

  it('keeps every line whole and in order when the buffer keeps filling up', async () => {
    const path = join(dir, 'alerts.jsonl');
    // A 64-byte buffer makes every write report backpressure.
    const sink = await JsonlFileSink.open(path, { highWaterMarkBytes: 64 });
    for (let i = 0; i < 200; i++) await sink.write(alertNo(i));
    // Unawaited writes racing each other must still come out whole.
    await Promise.all(Array.from({ length: 100 }, (_, i) => sink.write(alertNo(200 + i))));
    await sink.flush();
    const lines = (await readLines(path)) as { source: { port: number } }[];
    expect(lines).toHaveLength(300);
    expect(lines.map((l) => l.source.port)).toEqual(Array.from({ length: 300 }, (_, i) => 1000 + i));
    await sink.close();
  });

  it('appends to an existing file', async () => {
    const path = join(dir, 'alerts.jsonl');
    const first = await JsonlFileSink.open(path);
    await first.write(alertNo(1));
    await first.close();
    const second = await JsonlFileSink.open(path);
    await second.write(alertNo(2));
    await second.close();
    expect(await readLines(path)).toHaveLength(2);
  });

  it('closes once and refuses writes afterwards', async () => {
    const sink = await JsonlFileSink.open(join(dir, 'a.jsonl'));
    const closing = sink.close();
    expect(sink.close()).toBe(closing);
    await closing;
    await expect(sink.write(alertNo(1))).rejects.toBeInstanceOf(SinkError);
  });

  it('names the path when the file cannot be opened', async () => {
    await expect(JsonlFileSink.open(dir)).rejects.toThrow(new RegExp(`${dir}: cannot open the alert file`));
  });
});
