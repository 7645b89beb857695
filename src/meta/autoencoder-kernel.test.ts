import { describe, expect, it } from 'vitest';
import { AutoencoderKernel } from './autoencoder-kernel.js';

function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return (s / 2 ** 31) * 2 - 1;
  };
}

/** Random weights for `sizes`, scaled like a Glorot draw, with non-zero biases. */
function weights(sizes: number[], next: () => number): Float32Array[] {
  const tensors: Float32Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const limit = Math.sqrt(6 / (sizes[l]! + sizes[l + 1]!)) * 1.5;
    tensors.push(Float32Array.from({ length: sizes[l]! * sizes[l + 1]! }, () => next() * limit));
    tensors.push(Float32Array.from({ length: sizes[l + 1]! }, () => next() * 0.5));
  }
  return tensors;
}

/** The same network in plain JavaScript, in f64 with Math.tanh. */
function forward(sizes: number[], tensors: Float32Array[], row: Float32Array): number[] {
  let h = Array.from(row);
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [fanIn, fanOut] = [sizes[l]!, sizes[l + 1]!];
    const w = tensors[2 * l]!;
    const b = tensors[2 * l + 1]!;
    const next = Array.from({ length: fanOut }, (_, k) => {
      let sum = b[k]!;
      for (let j = 0; j < fanIn; j++) sum += h[j]! * w[j * fanOut + k]!;
      return l + 2 < sizes.length ? Math.tanh(sum) : sum;
    });
    h = next;
  }
  return h;
}

describe('AutoencoderKernel', () => {
  it.each([
    [[81, 16, 6, 16, 81], 300, 4096],
    [[7, 5, 3, 5, 7], 50, 8],
    [[3, 20, 3], 9, 4],
  ])('matches a plain forward pass for layers %j (%i rows, %i per call)', (sizes, n, chunkRows) => {
    const next = random(sizes.length * 1000 + n);
    const tensors = weights(sizes, next);
    const kernel = new AutoencoderKernel(sizes, tensors);
    const dim = sizes[0]!;
    // Rows up to ±8 drive some hidden units into saturation, where tanh must come out as ±1.
    const rows = Float32Array.from({ length: n * dim }, () => next() * 8);
    const scores = new Float32Array(n);
    const out = new Float32Array(n * dim);
    kernel.score(rows, scores, out, chunkRows);
    for (let i = 0; i < n; i++) {
      const row = rows.subarray(i * dim, (i + 1) * dim);
      const expected = forward(sizes, tensors, row);
      let sum = 0;
      for (let j = 0; j < dim; j++) {
        expect(Math.abs(out[i * dim + j]! - expected[j]!)).toBeLessThan(2e-5 * (1 + Math.abs(expected[j]!)));
        sum += (row[j]! - expected[j]!) ** 2;
      }
      expect(Math.abs(scores[i]! - sum / dim)).toBeLessThan(1e-5 * (1 + sum / dim));
    }
  });

  it('keeps each network to its own weights when several share the kernel', () => {
    const sizes = [5, 4, 5];
    const next = random(11);
    const [wa, wb] = [weights(sizes, next), weights(sizes, next)];
    const [a, b] = [new AutoencoderKernel(sizes, wa), new AutoencoderKernel(sizes, wb)];
    const rows = Float32Array.from({ length: 10 }, () => next());
    const run = (k: AutoencoderKernel) => {
      const scores = new Float32Array(2);
      k.score(rows, scores, new Float32Array(10));
      return Array.from(scores);
    };
    const first = run(a);
    expect(run(b)).not.toEqual(first);
    expect(run(a)).toEqual(first);
  });
});
