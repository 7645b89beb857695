import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { DetectorConfig } from '../config/schema.js';

/** The `detector.backend` config value. */
export type BackendPreference = DetectorConfig['backend'];

/** A TensorFlow.js backend tapwatch knows how to start. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** The backend in use and why, for the startup log. */
export interface BackendChoice {
  backend: BackendName;
  /** One line: what was asked for, what was tried, why each earlier candidate was skipped. */
  reason: string;
  /** Candidates tried before the chosen one, with the error that ruled each out. */
  skipped: { backend: BackendName; error: string }[];
}

// A variable, not a literal, so neither TypeScript nor a bundler tries to resolve the optional native
// package: it is usually absent (its install downloads libtensorflow) and must never be required.
const TFJS_NODE_PACKAGE = '@tensorflow/tfjs-node';

const ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/**
 * Starts the fastest TensorFlow.js backend that works here, starting from `preference` and falling back
 * down the list tensorflow (native libtensorflow via tfjs-node) → wasm → cpu. An explicit preference that
 * cannot start also falls back rather than failing: the pure-JS cpu backend always works, and the reason
 * returned says what was skipped so the operator sees it in the log.
 *
 * Also switches TensorFlow.js to production mode: it skips per-op debug checks and keeps the library's
 * console banner off stdout, which may carry alerts.
 */
export async function selectBackend(preference: BackendPreference): Promise<BackendChoice> {
  tf.enableProdMode();
  const start = preference === 'auto' ? 0 : ORDER.indexOf(preference);
  const skipped: BackendChoice['skipped'] = [];
  for (const backend of ORDER.slice(start)) {
    try {
      await startBackend(backend);
      return { backend, reason: describe(preference, backend, skipped), skipped };
    } catch (err) {
      skipped.push({ backend, error: err instanceof Error ? err.message.split('\n')[0]! : String(err) });
    }
  }
  // Only reachable when even the bundled cpu backend fails, i.e. a broken installation.
  throw new Error(`no TensorFlow.js backend could start: ${describe(preference, 'none', skipped)}`);
}

function describe(preference: BackendPreference, chosen: string, skipped: BackendChoice['skipped']): string {
  const why = skipped.map((s) => `${s.backend} unavailable (${s.error})`).join('; ');
  return `preference ${preference}, using ${chosen}${why === '' ? '' : `: ${why}`}`;
}

async function startBackend(backend: BackendName): Promise<void> {
  if (backend === 'tensorflow') {
    // Importing tfjs-node registers the 'tensorflow' backend with the shared tfjs engine; it throws when
    // the package or its native binding (libtensorflow) is missing.
    await import(TFJS_NODE_PACKAGE);
  } else if (backend === 'wasm') {
    await prepareWasm();
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') returned false`);
  await tf.ready();
}

async function prepareWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // Once the backend is up its binaries are loaded; pointing at them again is pointless.
  if ('wasm' in tf.engine().registry) return;
  // The .wasm binaries ship inside the npm package; without an explicit prefix the loader would look
  // next to the calling script. Resolving from this module finds the copy Node itself would load.
  const require = createRequire(import.meta.url);
  const binary = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
  wasm.setWasmPaths(path.dirname(binary) + path.sep);
}
