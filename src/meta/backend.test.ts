import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from './backend.js';

describe('selectBackend', () => {
  it('falls back to wasm when the native tfjs-node binding is not installed, keeping the reason', async () => {
    const choice = await selectBackend('auto');
    expect(choice.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.skipped.map((s) => s.backend)).toEqual(['tensorflow']);
    expect(choice.skipped[0]!.error).toMatch(/tfjs-node/);
    expect(choice.reason).toMatch(/^preference auto, using wasm: tensorflow unavailable \(/);
  });

  it('honours an explicit preference, falling back from tensorflow', async () => {
    expect((await selectBackend('cpu')).backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect((await selectBackend('tensorflow')).backend).toBe('wasm');
    expect((await selectBackend('wasm')).backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });
});
