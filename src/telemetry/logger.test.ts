import { describe, expect, it } from 'vitest';
import { Logger, type LogStream } from './logger.js';

class LineStream implements LogStream {
  readonly lines: string[] = [];
  write(chunk: string): boolean {
    this.lines.push(chunk);
    return true;
  }
  parsed(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l));
  }
}

const clock = () => Date.UTC(2024, 4, 1, 12, 0, 0);

describe('Logger', () => {
  it('writes one JSON object per line with time, level and msg first', () => {
    const stream = new LineStream();
    new Logger({ stream, level: 'info', clock }).info('started', { listen: '127.0.0.1:9464' });
    expect(stream.lines).toEqual([
      '{"time":"2024-05-01T12:00:00.000Z","level":"info","msg":"started","listen":"127.0.0.1:9464"}\n',
    ]);
  });

  it('drops lines below the level, and follows level changes in children', () => {
    const stream = new LineStream();
    const logger = new Logger({ stream, level: 'warn', clock });
    const child = logger.child({ segment: 'servers' });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    child.error('e');
    expect(stream.parsed().map((l) => [l.level, l.msg, l.segment])).toEqual([
      ['warn', 'w', undefined],
      ['error', 'e', 'servers'],
    ]);
    logger.level = 'debug';
    child.debug('now visible');
    expect(stream.parsed().at(-1)).toMatchObject({ level: 'debug', msg: 'now visible', segment: 'servers' });
    expect(logger.isLevelEnabled('debug')).toBe(true);
  });

  it('redacts secrets in fields', () => {
    const stream = new LineStream();
    const logger = new Logger({ stream, level: 'info', clock });
    logger.info('kafka connecting', {
      brokers: ['k1:9092'],
      sasl: { mechanism: 'scram-sha-512', username: 'tw', password: 'hunter2' },
      ssl: { keyPassword: 'x' },
    });
    const line = stream.lines[0];
    expect(line).not.toContain('hunter2');
    expect(stream.parsed()[0]).toMatchObject({
      sasl: '[REDACTED]',
      ssl: { keyPassword: '[REDACTED]' },
      brokers: ['k1:9092'],
    });
  });

  it('serializes errors and bigints, and keeps reserved keys from being overwritten', () => {
    const stream = new LineStream();
    const logger = new Logger({ stream, level: 'info', clock });
    const err = Object.assign(new Error('boom', { cause: new Error('root') }), { code: 'E_X' });
    logger.error('failed', { err, offset: 12n, msg: 'spoofed', level: 'debug' });
    const parsed = stream.parsed()[0] as {
      err: Record<string, unknown>;
      offset: string;
      msg: string;
      level: string;
    };
    expect(parsed.err).toMatchObject({
      type: 'Error',
      message: 'boom',
      code: 'E_X',
      cause: { message: 'root' },
    });
    expect(parsed.offset).toBe('12');
    expect([parsed.level, parsed.msg]).toEqual(['error', 'failed']);
  });

  it('still logs the message when a field cannot be serialized', () => {
    const stream = new LineStream();
    const logger = new Logger({ stream, level: 'info', clock });
    const bad = {
      toJSON() {
        throw new Error('nope');
      },
    };
    logger.warn('odd input', { bad });
    expect(stream.parsed()[0]).toMatchObject({
      msg: 'odd input',
      log_error: 'fields not serializable: nope',
    });
  });
});
