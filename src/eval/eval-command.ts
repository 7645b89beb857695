import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config.js';
import { TapwatchError } from '../core/errors.js';
import { featureNames } from '../features/feature-names.js';
import { readLabelledInput } from '../ingest/files/read-labelled-input.js';
import { selectBackend } from '../meta/backend.js';
import { forecasterOverride } from '../meta/forecast/forecaster-file.js';
import { BUNDLED_MODEL_DIR, loadModel } from '../meta/training/load-model.js';
import { DEFAULT_BUDGETS, evaluateInput } from './evaluate-input.js';
import { formatEvalSummary } from './format-eval-summary.js';
import { reportHtml } from './report-html.js';

export const EVAL_USAGE = `usage: tapwatch eval <capture or flow file> [--labels FILE] [--out DIR] [options]

Replays a labelled input through the detection path (features, per-segment detectors starting from
the model, warm-up, thresholds), prints a summary and writes <out>/eval.json and <out>/report.html.
Labels come from the file itself (IoT-23 CSV), --labels (one 0/1 per packet or per flow, in order),
or <input>.labels.csv beside it.

options:
  -l, --labels <file>      ground truth, one 0/1 per line (per packet for captures, or per flow)
  -o, --out <dir>          output directory (default: eval-out)
  -c, --config <file>      config (segments, features, detector; default: the bundled config)
  -m, --model <dir>        initialization (default: the bundled models/default); "none" = random
      --no-forecaster      ignore the model's forecaster.json (volume forecaster on detector.forecast's defaults)
      --budgets <list>     warm-up budgets of the adaptation curve (default ${DEFAULT_BUDGETS.join(',')}; "" skips it)`;

/** What `tapwatch eval` needs from the CLI entry. */
export interface EvalContext {
  version: string;
  defaultConfig: string;
  stdout: Writable;
  stderr: Writable;
}

/** `tapwatch eval`: resolves the exit code (0 done). */
export async function runEval(argv: string[], ctx: EvalContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      labels: { type: 'string', short: 'l' },
      out: { type: 'string', short: 'o', default: 'eval-out' },
      config: { type: 'string', short: 'c' },
      model: { type: 'string', short: 'm' },
      budgets: { type: 'string' },
      'no-forecaster': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    ctx.stdout.write(`${EVAL_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw usage(`eval takes one input file, got ${positionals.length}`);
  const { config } = loadConfig(values.config ?? ctx.defaultConfig);
  const budgets = parseBudgets(values.budgets);
  await selectBackend(config.detector.backend);
  const modelDir = values.model ?? BUNDLED_MODEL_DIR;
  const names = featureNames(config.features.lambdas);
  const model =
    modelDir === 'none'
      ? undefined
      : await loadModel(modelDir, {
          featureNames: names,
          hiddenUnits: config.detector.hiddenUnits,
          tickSeconds: config.detector.forecast.tickSeconds,
        });
  const learned = values['no-forecaster'] ? undefined : model?.forecaster;
  const file = path.resolve(positionals[0]!);
  const input = await readLabelledInput(file, config.flows, {
    ...(values.labels ? { labelsPath: path.resolve(values.labels) } : {}),
    siblingLabels: true,
  });
  if (!input.labels) throw usage(`${file}: no labels (the file has none and no --labels was given)`);
  const { result, run, labels } = await evaluateInput(input, {
    config,
    ...(model ? { initialWeights: model.weights } : {}),
    ...(learned ? { forecaster: forecasterOverride(learned) } : {}),
    model: {
      name: modelDir === 'none' ? 'none' : path.relative(process.cwd(), modelDir) || modelDir,
      method: model?.method ?? 'random',
      forecaster: learned ? 'forecaster.json' : 'defaults',
    },
    budgets,
  });
  await mkdir(values.out, { recursive: true });
  await writeFile(
    path.join(values.out, 'eval.json'),
    `${JSON.stringify({ tapwatchVersion: ctx.version, ...result }, jsonNumber, 2)}\n`,
  );
  await writeFile(path.join(values.out, 'report.html'), reportHtml(result, run, labels));
  ctx.stdout.write(formatEvalSummary(result, values.out));
  return 0;
}

/** NaN and Infinity are not JSON: they become null. */
function jsonNumber(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

function parseBudgets(text: string | undefined): readonly number[] {
  if (text === undefined) return DEFAULT_BUDGETS;
  if (text.trim() === '') return [];
  return text.split(',').map((part) => {
    const n = Number(part);
    if (!Number.isInteger(n) || n < 80) throw usage(`--budgets: expected integers >= 80, got "${part}"`);
    return n;
  });
}

function usage(message: string): TapwatchError {
  return new TapwatchError('TAPWATCH_USAGE', `${message}\n${EVAL_USAGE}`);
}
