import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowsSchema } from '../../config/schema.js';
import { readLabelledInput } from './read-labelled-input.js';

const record = (start: number, srcIp: string) =>
  JSON.stringify({
    start,
    end: start + 5,
    srcIp,
    dstIp: '10.0.0.1',
    srcPort: 40000,
    dstPort: 443,
    proto: 6,
    bytesFwd: 100,
    pktsFwd: 2,
    bytesRev: 300,
    pktsRev: 2,
    tcpFlags: 0x1b,
  });

describe('readLabelledInput', () => {
  it('keeps a label file’s labels with their records when the flows are sorted by time', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tapwatch-labelled-'));
    const file = path.join(dir, 'flows.jsonl');
    // Records out of start order, the attacker's first; a blank line does not count as a record.
    await writeFile(
      file,
      [record(3000, '10.0.0.66'), '', record(1000, '10.0.0.7'), record(2000, '10.0.0.8')].join('\n'),
    );
    await writeFile(`${file}.labels.csv`, '1\n0\n0\n');
    const input = await readLabelledInput(file, flowsSchema.parse({}), { siblingLabels: true });
    expect(input.flows.map((f) => f.srcIp)).toEqual(['10.0.0.7', '10.0.0.8', '10.0.0.66']);
    expect(Array.from(input.labels!)).toEqual([0, 0, 1]);
  });
});
