// Summarises a V8 .cpuprofile (from `node --cpu-prof`) by self time: the top functions, the top
// files, and the time per pipeline stage (which src/ folder the sampled function lives in).
//
//   node --cpu-prof --cpu-prof-dir bench/out/prof dist/main.js replay bench/out/bench-1m.pcap -c CONFIG
//   node bench/profile-summary.js bench/out/prof/CPU.*.cpuprofile [topN] [fromSeconds] [toSeconds]
//
// fromSeconds/toSeconds keep only the samples taken in that span of the run (seconds since the
// profile started), e.g. the backlog phase of bench/kafka.js without startup and the paced phase.
//
// Self time, not total time: a function's own samples, so the columns add up to the whole run
// and a hot spot is charged to the code that actually spends it.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Pseudo-frames V8 records for time spent outside JavaScript. */
const SPECIAL = new Set(['(garbage collector)', '(program)', '(idle)', '(root)']);

/**
 * @param {{ nodes: { id: number, callFrame: { functionName: string, url: string, lineNumber: number } }[],
 *   samples: number[], timeDeltas: number[] }} profile
 * @returns {{ totalMs: number, functions: Map<string, number>, files: Map<string, number>, stages: Map<string, number> }}
 */
export function summariseProfile(profile, fromSeconds = 0, toSeconds = Number.POSITIVE_INFINITY) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const functions = new Map();
  const files = new Map();
  const stages = new Map();
  let totalUs = 0;
  let atUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the gap before sample i; charging it to sample i is what DevTools does.
    const us = profile.timeDeltas[i] ?? 0;
    atUs += us;
    if (atUs < fromSeconds * 1e6 || atUs > toSeconds * 1e6) continue;
    totalUs += us;
    const frame = byId.get(profile.samples[i]).callFrame;
    const file = shortFile(frame.url, frame.functionName);
    const fn = `${frame.functionName || '(anonymous)'} ${file}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    add(functions, fn, us);
    add(files, file, us);
    add(stages, stageOf(file), us);
  }
  const toMs = (m) => new Map([...m].map(([k, v]) => [k, v / 1000]));
  return { totalMs: totalUs / 1000, functions: toMs(functions), files: toMs(files), stages: toMs(stages) };
}

function add(map, key, us) {
  map.set(key, (map.get(key) ?? 0) + us);
}

/** `dist/features/key-table.js` for our code, `node_modules/<pkg>` for dependencies, `node:<x>` for Node. */
function shortFile(url, functionName) {
  if (!url) return SPECIAL.has(functionName) ? functionName : '(native)';
  // Dependencies first: their own builds live under node_modules/<pkg>/dist/ too.
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return `node_modules/${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const dist = url.lastIndexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  // tfjs-backend-wasm's module has no names (wasm-function[i]); tapwatch's kernels keep their .wat names.
  if (url.startsWith('wasm://')) {
    return functionName.startsWith('wasm-function[')
      ? 'node_modules/@tensorflow/tfjs-backend-wasm (wasm)'
      : 'dist/meta (WebAssembly kernels)';
  }
  return url;
}

/** The pipeline stage a file belongs to, by its folder under dist/. */
function stageOf(file) {
  if (file.startsWith('dist/')) {
    const parts = file.split('/');
    return parts.length > 2 ? parts[1] : `dist (${parts[1]})`;
  }
  if (file.startsWith('node_modules/@tensorflow')) return 'tfjs';
  if (file.startsWith('node_modules/')) return file;
  if (file.startsWith('node:')) return 'node internals';
  return file;
}

function table(title, map, totalMs, top) {
  const rows = [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  const lines = [`\n### ${title}\n`, '| self ms | share | where |', '|---:|---:|:---|'];
  for (const [key, ms] of rows)
    lines.push(
      `| ${ms.toFixed(0)} | ${((ms / totalMs) * 100).toFixed(1)}% | ${key.replaceAll('|', '\\|')} |`,
    );
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write(
      'usage: node bench/profile-summary.js FILE.cpuprofile [topN] [fromSeconds] [toSeconds]\n',
    );
    process.exit(2);
  }
  const top = Number(process.argv[3] ?? 30);
  const from = Number(process.argv[4] ?? 0);
  const to = Number(process.argv[5] ?? Number.POSITIVE_INFINITY);
  const s = summariseProfile(JSON.parse(readFileSync(file, 'utf8')), from, to);
  process.stdout.write(`profile ${file}: ${s.totalMs.toFixed(0)} ms sampled\n`);
  process.stdout.write(`${table('By stage', s.stages, s.totalMs, top)}\n`);
  process.stdout.write(`${table('By file', s.files, s.totalMs, top)}\n`);
  process.stdout.write(`${table('By function', s.functions, s.totalMs, top)}\n`);
}
