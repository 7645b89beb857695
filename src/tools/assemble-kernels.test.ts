import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUTOENCODER_SCORE_WASM } from '../meta/autoencoder-score-wasm.js';
import { NEAREST_ROW_WASM } from '../meta/nearest-row-wasm.js';
import { SCALE_ROWS_WASM } from '../meta/scale-rows-wasm.js';
import { assemble, KERNELS } from './assemble-kernels.js';

const COMMITTED: Record<string, string> = { AUTOENCODER_SCORE_WASM, NEAREST_ROW_WASM, SCALE_ROWS_WASM };

describe('WebAssembly kernels', () => {
  it('lists every committed kernel', () => {
    expect(KERNELS.map((k) => k.constant).sort()).toEqual(Object.keys(COMMITTED).sort());
  });

  it.each(KERNELS)(
    '$constant is the binary its .wat assembles to (rerun `npm run kernels` after editing it)',
    async (kernel) => {
      const name = kernel.source.split('/').at(-1)!;
      const binary = await assemble(name, readFileSync(kernel.source, 'utf8'));
      expect(Buffer.from(COMMITTED[kernel.constant]!, 'base64').equals(Buffer.from(binary))).toBe(true);
    },
  );
});
