import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ModelError } from '../../core/errors.js';
import { DEFAULT_FORECASTER_PARAMS, type ForecasterParams, projectParams } from './holt-winters.js';

/** File name of the forecaster's learned parameters inside a model directory. */
export const FORECASTER_FILE = 'forecaster.json';
export const FORECASTER_FORMAT = 'tapwatch-forecaster';
export const FORECASTER_FILE_VERSION = 1;

/** Contents of `forecaster.json`. */
export interface ForecasterFile {
  format: typeof FORECASTER_FORMAT;
  version: typeof FORECASTER_FILE_VERSION;
  /** The shared initialization every segment's forecaster starts from. */
  params: ForecasterParams;
  /**
   * Per-segment adaptation learned with the parameters (pass as VolumeForecaster's `adaptation`): adapt on the
   * first `ticks` ticks with this pull; null when adapting did worse than the shared values on training series.
   */
  adaptation: { ticks: number; steps: number; pull: number } | null;
  /** Tick and season the parameters were fitted for (they only transfer to the same tick length). */
  tickSeconds: number;
  seasonTicks: number;
  /** How it was fitted: training series, seed, mean MASE of the defaults and of the fit on them. */
  training: { series: number; ticks: number; seed: number; defaultMase: number; fittedMase: number };
}

/**
 * What a segment's VolumeForecaster takes from a model (spread into its options over `detector.forecast`):
 * the learned parameters and, when learned, the per-segment adaptation.
 */
export type ForecasterOverride = Partial<ForecasterParams> & {
  adaptation?: { ticks: number; steps?: number; pull?: number };
};

/** The {@link ForecasterOverride} of a loaded `forecaster.json`; empty (the defaults) without one. */
export function forecasterOverride(
  file: Pick<ForecasterFile, 'params' | 'adaptation'> | undefined,
): ForecasterOverride {
  if (!file) return {};
  return { ...file.params, ...(file.adaptation ? { adaptation: file.adaptation } : {}) };
}

/** Writes `<dir>/forecaster.json` (no time stamps: the same fit gives the same bytes). */
export async function saveForecasterParams(dir: string, file: Omit<ForecasterFile, 'format' | 'version'>) {
  await mkdir(dir, { recursive: true });
  const body: ForecasterFile = { format: FORECASTER_FORMAT, version: FORECASTER_FILE_VERSION, ...file };
  const json = JSON.stringify(body, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
  await writeFile(path.join(dir, FORECASTER_FILE), `${json}\n`);
}

/**
 * Reads `<dir>/forecaster.json`; `undefined` when the directory has none (a model written before the forecaster
 * was meta-learned: use the defaults). A damaged file, another format or version, a tick length other than
 * `expected.tickSeconds`, or parameters outside their bounds is a {@link ModelError} naming the file.
 */
export async function loadForecasterParams(
  dir: string,
  expected: { tickSeconds?: number } = {},
): Promise<ForecasterFile | undefined> {
  const file = path.join(dir, FORECASTER_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ModelError(`${file}: ${(err as Error).message}`, { cause: err });
  }
  let body: Partial<ForecasterFile>;
  try {
    body = JSON.parse(text) as Partial<ForecasterFile>;
  } catch (err) {
    throw new ModelError(`${file}: not JSON (${(err as Error).message})`, { cause: err });
  }
  if (body.format !== FORECASTER_FORMAT || body.version !== FORECASTER_FILE_VERSION)
    throw new ModelError(
      `${file}: expected format ${FORECASTER_FORMAT} version ${FORECASTER_FILE_VERSION}, got ${body.format} ${body.version}`,
    );
  const params = body.params as Partial<ForecasterParams> | undefined;
  for (const k of Object.keys(DEFAULT_FORECASTER_PARAMS) as (keyof ForecasterParams)[]) {
    if (typeof params?.[k] !== 'number' || !Number.isFinite(params[k]))
      throw new ModelError(`${file}: params.${k} must be a finite number`);
  }
  const p = params as ForecasterParams;
  const projected = projectParams(p);
  const off = (Object.keys(p) as (keyof ForecasterParams)[]).find((k) => projected[k] !== p[k]);
  if (off) throw new ModelError(`${file}: params.${off} = ${p[off]} is out of bounds`);
  const a = body.adaptation;
  if (a === undefined) body.adaptation = null;
  else if (a !== null && !(a.ticks > 0 && a.steps >= 0 && a.pull >= 0))
    throw new ModelError(`${file}: adaptation needs ticks > 0, steps >= 0 and pull >= 0`);
  if (expected.tickSeconds !== undefined && body.tickSeconds !== expected.tickSeconds)
    throw new ModelError(
      `${file}: fitted for ${body.tickSeconds} s ticks, detector.forecast.tickSeconds is ${expected.tickSeconds}`,
    );
  return body as ForecasterFile;
}
