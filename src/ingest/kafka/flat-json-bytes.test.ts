import { describe, expect, it } from 'vitest';
import { ABSENT, FlatJsonFields, NUMBER, OTHER, TEXT, UNSET } from './flat-json-bytes.js';

const fields = new FlatJsonFields(['a', 'bb', 'ccc'], 'wrap');
const scan = (text: string) => fields.scan(Buffer.from(text, 'utf8'));

describe('FlatJsonFields', () => {
  it('records the named fields by slot and checks the others', () => {
    expect(scan('{"x":[1,"y",null,true],"a":-12.5e1,"bb":"hello","z":{}}')).toBe(false);
    expect(scan('{"x":[1,"y",null,true],"a":-12.5e1,"bb":"hello","zz":"ünï"}')).toBe(true);
    expect(Array.from(fields.kind)).toEqual([NUMBER, TEXT, ABSENT]);
    expect(fields.number[0]).toBe(-125);
    expect(fields.text(1)).toBe('hello');
  });

  it('reads unset values, literals and a repeated key as JSON.parse keeps them', () => {
    expect(scan('{ "a" : "-" , "bb" : null , "ccc" : false, "a": "" }')).toBe(true);
    expect(Array.from(fields.kind)).toEqual([UNSET, UNSET, OTHER]);
    expect(scan('{"a":1,"a":"two"}')).toBe(true);
    expect(fields.kind[0]).toBe(TEXT);
    expect(fields.text(0)).toBe('two');
  });

  it('reads the fields inside the tag object, and only when it is the sole member', () => {
    expect(scan('{ "wrap" : {"ccc":3} }\n')).toBe(true);
    expect(fields.kind[2]).toBe(NUMBER);
    expect(scan('{"wrap":{"ccc":3},"other":1}')).toBe(false);
    expect(scan('{"wrap":3}')).toBe(false);
  });

  it('gives up on what it does not read itself', () => {
    for (const text of [
      '{"a":"x\\"y"}',
      '{"a":1,}',
      '{"a":01}',
      '{"a":1.}',
      '{"a":[[1]]}',
      '{"a":nul}',
      '{"a":1} {"a":2}',
      '[{"a":1}]',
      '{"a":"tab\there"}',
      '{"a":"ünï"}',
      '{"a":1',
    ]) {
      expect(scan(text), text).toBe(false);
    }
  });
});
