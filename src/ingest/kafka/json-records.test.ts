import { describe, expect, it } from 'vitest';
import { parseJsonRecords } from './json-records.js';

const parse = (text: string) => parseJsonRecords(Buffer.from(text));

describe('parseJsonRecords', () => {
  it('splits newline-separated, concatenated and pretty-printed objects', () => {
    const text = '{"a":1}\n{"a":2}{"a":3}\n{\n  "a": 4,\n  "s": "} { \\" ]"\n}\n';
    expect(parse(text)).toEqual([
      { ok: true, value: { a: 1 } },
      { ok: true, value: { a: 2 } },
      { ok: true, value: { a: 3 } },
      { ok: true, value: { a: 4, s: '} { " ]' } },
    ]);
  });

  it('flattens a top-level array and keeps UTF-8 text intact', () => {
    expect(parse('\ufeff[{"h":"höst-ü"},{"h":"☃"}]')).toEqual([
      { ok: true, value: { h: 'höst-ü' } },
      { ok: true, value: { h: '☃' } },
    ]);
  });

  it('isolates a bad record and reports an unterminated tail', () => {
    const pieces = parse('{"a":1}\n{"a":}\nnot json\n{"a":2}\n{"a":');
    expect(pieces.map((p) => p.ok)).toEqual([true, false, false, true, false]);
    expect(pieces[4]).toEqual({ ok: false, detail: 'expected JSON: unterminated value at offset 32' });
  });

  it('yields nothing for an empty or blank message', () => {
    expect(parse('')).toEqual([]);
    expect(parse(' \r\n\t')).toEqual([]);
  });
});
