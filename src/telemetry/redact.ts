/**
 * Key fragments whose values are never logged. Matching is case-insensitive on a substring of
 * the key, so `saslPassword`, `ssl.key_password` and `sasl` (the whole block) are all caught.
 * `key` alone is not listed: `dedup_key` and `key_count` are harmless and useful.
 */
export const DEFAULT_REDACT_KEYS: readonly string[] = [
  'password',
  'passwd',
  'secret',
  'token',
  'sasl',
  'credential',
  'authorization',
  'cookie',
  'api_key',
  'apikey',
  'private_key',
  'privatekey',
];

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';

/** Deepest nesting walked; deeper values are replaced rather than risk a stack overflow. */
const MAX_DEPTH = 8;

/**
 * A copy of `value` with every property whose key contains one of `keys` replaced by
 * `[REDACTED]`. Arrays and plain objects are walked; cycles are cut; other values (errors,
 * dates, buffers) are returned as they are, because their own fields are not config.
 */
export function redact(value: unknown, keys: readonly string[] = DEFAULT_REDACT_KEYS): unknown {
  const fragments = keys.map((k) => k.toLowerCase());
  return walk(value, fragments, 0, new WeakSet());
}

function walk(value: unknown, fragments: readonly string[], depth: number, seen: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (!Array.isArray(value) && !isPlainObject(value)) return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  let out: unknown;
  if (Array.isArray(value)) {
    out = value.map((item) => walk(item, fragments, depth + 1, seen));
  } else {
    const copy: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      copy[key] = isSecretKey(key, fragments) ? REDACTED : walk(inner, fragments, depth + 1, seen);
    }
    out = copy;
  }
  // Only ancestors count as a cycle: the same object twice side by side is fine.
  seen.delete(value);
  return out;
}

function isSecretKey(key: string, fragments: readonly string[]): boolean {
  const lower = key.toLowerCase();
  return fragments.some((fragment) => lower.includes(fragment));
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
