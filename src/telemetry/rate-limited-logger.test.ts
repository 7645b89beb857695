import { describe, expect, it } from 'vitest';
import type { LogLevel } from './logger.js';
import { RateLimitedLogger } from './rate-limited-logger.js';

function setup(maxKeys?: number) {
  const lines: { level: LogLevel; msg: string; fields?: Record<string, unknown> }[] = [];
  let now = 0;
  const limited = new RateLimitedLogger({
    logger: { log: (level, msg, fields) => lines.push({ level, msg, fields }) },
    maxPerInterval: 3,
    intervalMs: 10_000,
    maxKeys,
    clock: () => now,
  });
  return { limited, lines, advance: (ms: number) => (now += ms) };
}

describe('RateLimitedLogger', () => {
  it('passes N lines per key per interval, then summarizes the rest', () => {
    const { limited, lines, advance } = setup();
    for (let i = 0; i < 50; i++) limited.warn('eve:bad_json', 'bad record', { i });
    expect(lines.map((l) => l.fields?.i)).toEqual([0, 1, 2]);
    advance(10_000);
    limited.warn('eve:bad_json', 'bad record', { i: 50 });
    expect(lines.slice(3)).toEqual([
      {
        level: 'warn',
        msg: '47 similar messages suppressed',
        fields: { rate_limit_key: 'eve:bad_json', suppressed: 47, interval_seconds: 10 },
      },
      { level: 'warn', msg: 'bad record', fields: { i: 50 } },
    ]);
  });

  it('counts keys separately', () => {
    const { limited, lines } = setup();
    for (let i = 0; i < 5; i++) {
      limited.warn('a', 'a');
      limited.warn('b', 'b');
    }
    expect(lines.map((l) => l.msg)).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
  });

  it('writes pending summaries on flush', () => {
    const { limited, lines } = setup();
    for (let i = 0; i < 5; i++) limited.log('k', 'error', 'x');
    limited.flush();
    limited.flush();
    expect(lines.at(-1)).toMatchObject({ level: 'error', fields: { suppressed: 2 } });
    expect(lines).toHaveLength(4);
  });

  it('bounds the keys it tracks, summarizing the ones it forgets', () => {
    const { limited, lines } = setup(2);
    for (let i = 0; i < 4; i++) limited.warn('first', 'x');
    limited.warn('second', 'y');
    limited.warn('third', 'z');
    expect(lines.at(-2)).toMatchObject({ fields: { rate_limit_key: 'first', suppressed: 1 } });
    expect(lines.at(-1)?.msg).toBe('z');
  });
});
