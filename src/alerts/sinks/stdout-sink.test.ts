import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SinkError } from '../../core/errors.js';
import { buildAlert } from '../build-alert.js';
import { classifyDetection } from '../classify-detection.js';
import { makeDetection, makeFlow } from '../testing/make-detection.js';
import { StdoutSink } from './stdout-sink.js';

/** A terminal or pipe that takes a while per chunk, with a tiny buffer. */
class SlowStream extends Writable {
  readonly chunks: string[] = [];
  drains = 0;
  constructor() {
    super({ highWaterMark: 32, decodeStrings: false });
    this.on('drain', () => this.drains++);
  }
  override _write(chunk: string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    setTimeout(() => {
      this.chunks.push(chunk);
      callback();
    }, 1);
  }
}

function alertNo(i: number) {
  const detection = makeDetection({ flow: makeFlow({ srcPort: 1000 + i }) });
  return buildAlert(detection, classifyDetection(detection));
}

describe('StdoutSink', () => {
  it('writes ECS JSON lines and waits for drain when the stream is full', async () => {
    const stream = new SlowStream();
    const sink = new StdoutSink({ format: 'ecs', stream });
    for (let i = 0; i < 20; i++) {
      await sink.write(alertNo(i));
      // After each awaited write the buffer has room again: the sink waited for 'drain'.
      expect(stream.writableNeedDrain).toBe(false);
    }
    await sink.close();
    expect(stream.drains).toBeGreaterThan(0);
    const ports = stream.chunks.map((c) => JSON.parse(c).source.port);
    expect(ports).toEqual(Array.from({ length: 20 }, (_, i) => 1000 + i));
    expect(stream.writableEnded).toBe(false);
  });

  it('writes pretty lines, coloured only when asked', async () => {
    const plain = new SlowStream();
    const coloured = new SlowStream();
    const plainSink = new StdoutSink({ format: 'pretty', stream: plain });
    await plainSink.write(alertNo(1));
    await plainSink.flush();
    const sink = new StdoutSink({ format: 'pretty', stream: coloured, color: true });
    await sink.write(alertNo(1));
    await sink.flush();
    expect(plain.chunks[0]).toMatch(/^2024-05-01T12:00:00Z MED {3}seg=servers {2}Anomalous flow .*\n$/);
    expect(coloured.chunks[0]).toContain('\u001b[33mMED  \u001b[0m');
  });

  it('turns a stream error into a SinkError naming the target', async () => {
    const broken = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('EPIPE: broken pipe'));
      },
    });
    const sink = new StdoutSink({ format: 'ecs', stream: broken });
    await sink.write(alertNo(1)).catch(() => undefined);
    await expect(sink.write(alertNo(2))).rejects.toThrow(SinkError);
    await expect(sink.flush()).rejects.toThrow(/stdout: write failed: EPIPE/);
  });
});
