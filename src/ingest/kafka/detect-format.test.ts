import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectJsonFormat, looksLikeJson } from './detect-format.js';
import { FLOW_MESSAGE } from './goflow2-schema.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

describe('looksLikeJson', () => {
  it.each([
    ['{"a":1}', true],
    ['  \n{ "a": 1 }\n{"b": 2}\n', true],
    ['[{"a":1},{"a":2}]', true],
    ['{}', true],
    ['[]', true],
    ['', false],
    ['{', false],
    ['hello', false],
    ['"text"', false],
  ])('%j → %s', (text, expected) => {
    expect(looksLikeJson(Buffer.from(text))).toBe(expected);
  });

  it('does not take a 123-byte delimited FlowMessage (length prefix 0x7b = "{") for JSON', () => {
    const padding = Buffer.alloc(113, 1);
    const body = FLOW_MESSAGE.encode(
      FLOW_MESSAGE.create({ type: 4, src_addr: Buffer.from([10, 0, 0, 1]), dst_addr: padding }),
    ).finish();
    const framed = FLOW_MESSAGE.encodeDelimited(FLOW_MESSAGE.decode(body)).finish();
    expect(framed[0]).toBe(0x7b);
    expect(looksLikeJson(framed)).toBe(false);
  });
});

describe('detectJsonFormat', () => {
  it.each([
    ['eve-flow-tcp.json', 'eve'],
    ['eve-alert.json', 'eve'],
    ['zeek-conn-seconds.json', 'zeek'],
    ['zeek-conn-millis-tagged.json', 'zeek'],
    ['zeek-conn-iso-nested.json', 'zeek'],
    ['goflow2-v2.json', 'goflow2-json'],
    ['goflow2-v1-camel.json', 'goflow2-json'],
  ])('%s → %s', (name, expected) => {
    expect(detectJsonFormat(JSON.parse(fixture(name).toString()))).toBe(expected);
  });

  it('knows tapwatch records and gives up on strangers', () => {
    expect(detectJsonFormat({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', start: 1 })).toBe('tapwatch');
    expect(detectJsonFormat({ dns: { ts: 1, uid: 'C1' } })).toBe('zeek');
    expect(detectJsonFormat({ ip_src: '10.0.0.1', ip_dst: '10.0.0.2' })).toBeUndefined();
    expect(detectJsonFormat({})).toBeUndefined();
  });
});
