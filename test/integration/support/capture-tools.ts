import { execFileSync, spawnSync } from 'node:child_process';

/** Wireshark's command-line tools the capture tests build their inputs with. */
export type WiresharkTool = 'editcap' | 'mergecap';

const TOOL_TIMEOUT_MS = 60_000;

/**
 * Fails (never skips) when a tool is missing: CI installs Debian's wireshark-common, and a test
 * that silently skips there would hide every capture regression.
 */
export function requireTools(tools: readonly WiresharkTool[]): void {
  const missing = tools.filter((tool) => {
    const probe = spawnSync(tool, ['-h'], { stdio: 'ignore', timeout: TOOL_TIMEOUT_MS });
    return probe.error !== undefined;
  });
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(', ')} not found on PATH: install Debian's wireshark-common (apt-get install wireshark-common), as CI does`,
    );
  }
}

function run(tool: WiresharkTool, args: string[]): void {
  try {
    execFileSync(tool, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: TOOL_TIMEOUT_MS });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`${tool} ${args.join(' ')} failed: ${(err as Error).message}\n${stderr}`);
  }
}

/** `editcap -F pcap -t <seconds>`: every timestamp moved by `micros` microseconds, classic pcap out. */
export function shiftCapture(input: string, output: string, micros: bigint): void {
  run('editcap', ['-F', 'pcap', '-t', formatSeconds(micros), input, output]);
}

/** `editcap -F pcapng`: the same packets in a pcapng file. */
export function convertToPcapng(input: string, output: string): void {
  run('editcap', ['-F', 'pcapng', input, output]);
}

/** `mergecap -F pcapng -w`: the inputs' packets interleaved in timestamp order. */
export function mergeCaptures(output: string, inputs: readonly string[]): void {
  run('mergecap', ['-F', 'pcapng', '-w', output, ...inputs]);
}

/** Microseconds as editcap's `[-]seconds.micros`, exactly (no float rounding). */
function formatSeconds(micros: bigint): string {
  const sign = micros < 0n ? '-' : '';
  const abs = micros < 0n ? -micros : micros;
  return `${sign}${abs / 1_000_000n}.${String(abs % 1_000_000n).padStart(6, '0')}`;
}
