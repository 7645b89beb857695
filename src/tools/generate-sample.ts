#!/usr/bin/env node
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { generateCapture } from './traffic/generate-capture.js';

const USAGE = `usage: generate-sample [--out samples/sample.pcap] [--seed 7] [--packets N] [--snaplen 80] [--vlan]

Writes a seeded synthetic capture of three segments (office, servers, IoT) over a compressed
day with four labelled attacks, plus <out>.labels.csv (one 0/1 per packet, 1 = attack) and
<out>.attacks.json (ground truth and segment CIDRs). The same seed gives the same bytes.`;

/** Parses a non-negative integer option, naming the option when it is not one. */
function integerOption(name: string, value: string | undefined, fallback: number | undefined, min: number) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min)
    throw new Error(`--${name}: expected an integer >= ${min}, got ${value}`);
  return n;
}

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string', default: 'samples/sample.pcap' },
      seed: { type: 'string' },
      packets: { type: 'string' },
      snaplen: { type: 'string' },
      vlan: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const out = values.out;
  const started = process.hrtime.bigint();
  mkdirSync(dirname(out), { recursive: true });
  const summary = generateCapture({
    out,
    seed: integerOption('seed', values.seed, 7, 0) as number,
    packets: integerOption('packets', values.packets, undefined, 1000),
    snapLength: integerOption('snaplen', values.snaplen, 80, 64),
    vlanTags: values.vlan,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const mib = (summary.fileBytes / 2 ** 20).toFixed(2);
  process.stdout.write(
    `${out}: ${summary.packets} packets (${summary.attackPackets} attack), ${mib} MiB, scale ${summary.scale}, ${seconds.toFixed(2)} s\n`,
  );
  for (const s of summary.segments) {
    process.stdout.write(
      `  segment ${s.name} ${s.cidrs.join(',')}: ${s.benignFlows} benign flows, ${s.benignFlowsBeforeAttacks} before the first attack\n`,
    );
  }
  for (const a of summary.attacks) {
    const at = new Date(a.startMs).toISOString();
    process.stdout.write(
      `  ${a.id} (${a.technique}) ${at} +${((a.endMs - a.startMs) / 1000).toFixed(0)} s: ${a.packets} packets\n`,
    );
  }
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`generate-sample: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
  process.exitCode = 1;
}
