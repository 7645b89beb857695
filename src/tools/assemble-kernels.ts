#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** WebAssembly kernels: the text source and the TypeScript module that carries its binary. */
export const KERNELS = [
  {
    source: fileURLToPath(new URL('../../src/meta/autoencoder-score.wat', import.meta.url)),
    module: fileURLToPath(new URL('../../src/meta/autoencoder-score-wasm.ts', import.meta.url)),
    constant: 'AUTOENCODER_SCORE_WASM',
  },
  {
    source: fileURLToPath(new URL('../../src/meta/nearest-row.wat', import.meta.url)),
    module: fileURLToPath(new URL('../../src/meta/nearest-row-wasm.ts', import.meta.url)),
    constant: 'NEAREST_ROW_WASM',
  },
  {
    source: fileURLToPath(new URL('../../src/meta/scale-rows.wat', import.meta.url)),
    module: fileURLToPath(new URL('../../src/meta/scale-rows-wasm.ts', import.meta.url)),
    constant: 'SCALE_ROWS_WASM',
  },
];

/**
 * Assembles WebAssembly text into a binary with wabt (a development dependency: the daemon loads the
 * committed binary and never needs it).
 */
export async function assemble(name: string, text: string): Promise<Uint8Array> {
  const wabt = await (await import('wabt')).default();
  const parsed = wabt.parseWat(name, text, { simd: true });
  try {
    parsed.resolveNames();
    parsed.validate();
    // The name section keeps the .wat's function names in stack traces and CPU profiles.
    return parsed.toBinary({ write_debug_names: true }).buffer;
  } finally {
    parsed.destroy();
  }
}

/** The TypeScript module that exports `constant` as the binary in base64. */
export function kernelModule(constant: string, sourceName: string, binary: Uint8Array): string {
  const base64 = Buffer.from(binary).toString('base64');
  return `// Generated from ${sourceName} by \`npm run kernels\`: edit the .wat and rerun it.
export const ${constant} =
  '${base64}';
`;
}

async function main(): Promise<void> {
  for (const kernel of KERNELS) {
    const name = kernel.source.split('/').at(-1)!;
    const binary = await assemble(name, readFileSync(kernel.source, 'utf8'));
    writeFileSync(kernel.module, kernelModule(kernel.constant, name, binary));
    console.log(`${kernel.module}: ${binary.length} bytes of WebAssembly`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
