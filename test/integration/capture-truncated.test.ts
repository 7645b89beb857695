import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './support/daemon-process.js';
import { type PcapRecord, readPcapLayout } from './support/pcap-records.js';
import { lastLine, replay, samplePcap, writeReplayConfig } from './support/replay.js';

/**
 * Damaged and missing captures: exit code 1 (a runtime failure, main.ts), one last stderr line
 * naming the file and, for damage inside the file, the byte offset and packet number
 * (capture-errors.ts), and a summary showing the packets before the damage were processed.
 */
const RECORD_HEADER_BYTES = 16;
/** ChunkedFile's default read size: a cut past it exercises a refill, not just the first read. */
const CHUNK_BYTES = 4 * 1024 * 1024;

describe('damaged captures', () => {
  let dir: string;
  let config: string;
  let records: PcapRecord[];
  let sampleBytes: Buffer;

  beforeAll(() => {
    dir = tempDir('tapwatch-damaged-');
    config = writeReplayConfig(dir);
    sampleBytes = readFileSync(samplePcap);
    records = readPcapLayout(samplePcap).records;
  });

  /** A copy of the sample ending `keep` bytes into `record` (counting from its header). */
  function cutAt(record: PcapRecord, keep: number, name: string): string {
    const file = path.join(dir, name);
    writeFileSync(file, sampleBytes.subarray(0, record.offset + keep));
    return file;
  }

  const recordPast = (byte: number) => records.find((r) => r.offset > byte)!;

  it.each([
    { where: 'in the first read', pick: () => records[9_999]! },
    { where: 'after a refill', pick: () => recordPast(CHUNK_BYTES + 100_000) },
  ])('stops at a packet record cut in its data ($where)', async ({ pick }) => {
    const record = pick();
    const remain = Math.floor(record.capLen / 2);
    const file = cutAt(record, RECORD_HEADER_BYTES + remain, `cut-data-${record.packet}.pcap`);
    const run = await replay([file], config, { timeoutMs: 60_000 });

    const message = `${file}: truncated packet record at byte ${record.offset} (packet ${record.packet}): header says ${record.capLen} bytes, ${remain} remain`;
    expect(run.code, run.stderr).toBe(1);
    expect(lastLine(run.stderr)).toBe(`tapwatch: ${message}`);
    expect(run.summary!.packets).toBe(record.packet - 1);
    expect(run.summary!.flows).toBeGreaterThan(0);
    expect(run.summary!.error).toBe(message);
    expect(run.stderr).toContain('tapwatch summary (stopped on bad input)');
  });

  it('stops at a record header cut short, and reads no later file', async () => {
    const record = records[19_999]!;
    const file = cutAt(record, 7, 'cut-header.pcap');
    const run = await replay([file, samplePcap], config, { timeoutMs: 60_000 });

    expect(run.code, run.stderr).toBe(1);
    expect(lastLine(run.stderr)).toBe(
      `tapwatch: ${file}: truncated packet record header at byte ${record.offset} (packet ${record.packet}): 16 bytes expected, 7 remain`,
    );
    expect(run.summary!.packets).toBe(record.packet - 1);
    expect(run.summary!.flows).toBeGreaterThan(0);
  });

  it('rejects a file with an unknown magic number in one line', async () => {
    const file = path.join(dir, 'not-a-capture.pcap');
    writeFileSync(file, 'GET / HTTP/1.1\r\nHost: example.org\r\n\r\n');
    const run = await replay([file], config, { timeoutMs: 60_000 });

    expect(run.code, run.stderr).toBe(1);
    expect(lastLine(run.stderr)).toBe(
      `tapwatch: ${file}: not a pcap or pcapng capture: magic 0x47455420, expected a1b2c3d4, a1b23c4d or 0a0d0d0a`,
    );
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.summary!.packets).toBe(0);
  });

  // openCapture documents a missing file as TAPWATCH_INPUT_UNREADABLE, an input failure: exit 1.
  it('exits 1 naming a missing file', async () => {
    const file = path.join(dir, 'no-such-capture.pcap');
    const run = await replay([file], config, { timeoutMs: 60_000 });

    expect(run.code, run.stderr).toBe(1);
    const line = lastLine(run.stderr);
    expect(line.startsWith(`tapwatch: ${file}: cannot open: ENOENT`), line).toBe(true);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});
