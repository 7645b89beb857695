import path from 'node:path';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load-config.js';
import { TapwatchError } from '../../core/errors.js';
import { readLabelledInput } from '../../ingest/files/read-labelled-input.js';
import { selectBackend } from '../backend.js';
import { FORECASTER_FILE, saveForecasterParams } from '../forecast/forecaster-file.js';
import { trainForecaster } from '../forecast/train-forecaster.js';
import { buildTasks } from './build-tasks.js';
import { ProgressBar } from './progress-bar.js';
import { saveModel } from './save-model.js';
import {
  DEFAULT_POOLED,
  DEFAULT_REPTILE,
  type TrainingPlan,
  trainInitialization,
} from './train-initialization.js';

export const META_TRAIN_USAGE = `usage: tapwatch meta-train <input>... --out <dir> [options]

Meta-trains the autoencoder initialization new segments start from (Reptile, benign flows only), and
the volume forecaster's shared Holt-Winters parameters (fitted on the segments' benign count series).
Inputs are captures (pcap/pcapng; flows of <capture>.labels.csv attacks are left out) and flow files
(IoT-23 CSV, Zeek conn JSON lines, tapwatch JSON lines; rows labelled Malicious are left out).

options:
  -o, --out <dir>          model directory to write (model.json, weights.bin, forecaster.json)
  -c, --config <file>      segments, features and detector.hiddenUnits (default: the bundled config)
      --seed <n>           seed of every random choice (default 1)
      --pooled             plain pooled pretraining instead of Reptile (the comparison baseline)
      --task-flows <n>     consecutive benign flows of one segment per task (default 256)
      --iterations <n>     Reptile outer steps (default ${DEFAULT_REPTILE.iterations})
      --meta-batch <n>     tasks per outer step (default ${DEFAULT_REPTILE.metaBatchTasks})
      --inner-steps <k>    inner Adam steps per task (default ${DEFAULT_REPTILE.innerSteps})
      --inner-flows <n>    flows per task in the inner loop (default ${DEFAULT_REPTILE.innerFlows})
      --inner-lr <x>       inner learning rate (default ${DEFAULT_REPTILE.innerLearningRate})
      --outer-step <x>     outer step size, annealed linearly to 0 (default ${DEFAULT_REPTILE.outerStepSize})
      --epochs <n>         pooled pretraining epochs (default ${DEFAULT_POOLED.epochs})`;

/** Where `tapwatch meta-train` writes and what it needs from the CLI entry. */
export interface MetaTrainContext {
  version: string;
  defaultConfig: string;
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean; columns?: number };
}

/** `tapwatch meta-train`: reads the inputs, builds tasks, trains, writes the model; resolves the exit code. */
export async function runMetaTrain(argv: string[], ctx: MetaTrainContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      config: { type: 'string', short: 'c' },
      seed: { type: 'string' },
      pooled: { type: 'boolean', default: false },
      'task-flows': { type: 'string' },
      iterations: { type: 'string' },
      'meta-batch': { type: 'string' },
      'inner-steps': { type: 'string' },
      'inner-flows': { type: 'string' },
      'inner-lr': { type: 'string' },
      'outer-step': { type: 'string' },
      epochs: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    ctx.stdout.write(`${META_TRAIN_USAGE}\n`);
    return 0;
  }
  if (positionals.length === 0) throw usage('meta-train needs at least one input file');
  if (!values.out) throw usage('meta-train needs --out <dir>');
  const { config } = loadConfig(values.config ?? ctx.defaultConfig);
  const num = (name: string, text: string | undefined, fallback: number, integer = true) =>
    parseNumber(name, text, fallback, integer);
  const seed = num('seed', values.seed, 1);
  const hiddenUnits = [...config.detector.hiddenUnits];
  const plan: TrainingPlan = values.pooled
    ? {
        method: 'pooled',
        options: {
          ...DEFAULT_POOLED,
          hiddenUnits,
          seed,
          epochs: num('epochs', values.epochs, DEFAULT_POOLED.epochs),
        },
      }
    : {
        method: 'reptile',
        options: {
          hiddenUnits,
          seed,
          iterations: num('iterations', values.iterations, DEFAULT_REPTILE.iterations),
          metaBatchTasks: num('meta-batch', values['meta-batch'], DEFAULT_REPTILE.metaBatchTasks),
          innerSteps: num('inner-steps', values['inner-steps'], DEFAULT_REPTILE.innerSteps),
          innerFlows: num('inner-flows', values['inner-flows'], DEFAULT_REPTILE.innerFlows),
          innerLearningRate: num('inner-lr', values['inner-lr'], DEFAULT_REPTILE.innerLearningRate, false),
          outerStepSize: num('outer-step', values['outer-step'], DEFAULT_REPTILE.outerStepSize, false),
        },
      };
  await selectBackend(config.detector.backend);
  const inputs = [];
  for (const file of positionals) {
    inputs.push(await readLabelledInput(path.resolve(file), config.flows, { siblingLabels: true }));
  }
  const corpus = buildTasks(inputs, {
    segments: config.segments,
    features: config.features,
    taskFlows: num('task-flows', values['task-flows'], 256),
    names: positionals.map((p) => path.basename(p)),
  });
  if (corpus.tasks.length === 0)
    throw usage('the inputs hold no segment with enough benign flows for one task');
  const total = plan.method === 'reptile' ? plan.options.iterations : plan.options.epochs;
  const bar = new ProgressBar({
    total,
    unit: plan.method === 'reptile' ? 'tasks' : 'epochs',
    unitsPerStep: plan.method === 'reptile' ? plan.options.metaBatchTasks : 1,
    label: plan.method === 'reptile' ? 'meta-train' : 'pretrain',
    stream: ctx.stderr,
  });
  const { weights, description } = await trainInitialization(corpus, plan, ctx.version, (d, l) =>
    bar.update(d, l),
  );
  bar.finish();
  const forecaster = trainForecaster(
    inputs,
    { segments: config.segments, forecast: config.detector.forecast },
    seed,
  );
  const ft = forecaster.training;
  await saveModel(values.out, weights, {
    ...description,
    forecaster: {
      file: FORECASTER_FILE,
      series: ft.series,
      defaultMase: ft.defaultMase,
      fittedMase: ft.fittedMase,
    },
  });
  await saveForecasterParams(values.out, forecaster);
  const t = description.training;
  ctx.stdout.write(
    `${values.out}: ${plan.method} initialization from ${t.tasks} tasks (${t.flows} benign flows, ${inputs.length} inputs), loss ${t.firstLoss} -> ${t.lastLoss}\n`,
  );
  ctx.stdout.write(
    `${path.join(values.out, FORECASTER_FILE)}: volume forecaster fitted on ${ft.series} segment count series (${ft.ticks} ticks), mean MASE ${ft.defaultMase.toFixed(3)} (fixed defaults) -> ${ft.fittedMase.toFixed(3)}${forecaster.adaptation ? `, per-segment adaptation pull ${forecaster.adaptation.pull}` : ', no per-segment adaptation'}\n`,
  );
  return 0;
}

function parseNumber(name: string, text: string | undefined, fallback: number, integer: boolean): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw usage(`--${name}: expected a ${integer ? 'positive integer' : 'number > 0'}, got "${text}"`);
  }
  return n;
}

function usage(message: string): TapwatchError {
  return new TapwatchError('TAPWATCH_USAGE', `${message}\n${META_TRAIN_USAGE}`);
}
