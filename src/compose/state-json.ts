/**
 * JSON for state snapshots that hold typed arrays (window rings, sketches): plain `JSON.stringify`
 * turns a `Float64Array` into an object with numeric keys, which no restore accepts. Typed arrays
 * are written as `{ "$typed": "Float64Array", "base64": "…" }` — their bytes, so doubles stay exact
 * and a 16 KiB sketch stays about 22 KiB of text — and rebuilt on parse.
 */

const TYPED = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Uint16Array,
  Int16Array,
  Uint8Array,
  Int8Array,
} as const;

type TypedName = keyof typeof TYPED;

interface TypedJson {
  $typed: TypedName;
  base64: string;
}

/** `JSON.stringify` with typed arrays encoded as above. */
export function stringifyState(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (ArrayBuffer.isView(item) && !(item instanceof DataView)) {
      const name = item.constructor.name as TypedName;
      if (name in TYPED) {
        const bytes = Buffer.from(item.buffer, item.byteOffset, item.byteLength);
        return { $typed: name, base64: bytes.toString('base64') } satisfies TypedJson;
      }
    }
    return item;
  });
}

/** `JSON.parse` that rebuilds the typed arrays {@link stringifyState} wrote. */
export function parseState<T>(text: string): T {
  return JSON.parse(text, (_key, item: unknown) => {
    if (item !== null && typeof item === 'object' && '$typed' in item && 'base64' in item) {
      const { $typed, base64 } = item as TypedJson;
      const Ctor = TYPED[$typed];
      if (Ctor === undefined) throw new TypeError(`state JSON: unknown typed array ${String($typed)}`);
      const bytes = Buffer.from(base64, 'base64');
      // Copy into a fresh, aligned buffer: a Buffer's offset in its pool may not suit the element size.
      const aligned = new Uint8Array(bytes.length);
      aligned.set(bytes);
      return new Ctor(aligned.buffer, 0, bytes.length / Ctor.BYTES_PER_ELEMENT);
    }
    return item;
  }) as T;
}
