import { describe, expect, it } from 'vitest';
import { gaussian, seededRandom } from './seeded-random.js';

describe('seededRandom', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const first = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(first);
    expect(Array.from({ length: 5 }, c)).not.toEqual(first);
  });

  it('draws uniforms in [0, 1) and standard normals', () => {
    const random = seededRandom(1);
    const normal = gaussian(seededRandom(2));
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < 20_000; i++) {
      const u = random();
      expect(u >= 0 && u < 1).toBe(true);
      const z = normal();
      sum += z;
      squares += z * z;
    }
    expect(sum / 20_000).toBeCloseTo(0, 1);
    expect(squares / 20_000).toBeCloseTo(1, 1);
  });
});
