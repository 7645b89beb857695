import { ConfigError } from '../core/errors.js';

/**
 * `${VAR}` and `${VAR:-default}` substitution inside string values (never keys), after YAML
 * parsing so a variable's value can never change the document's structure. `$${` escapes a
 * literal `${`. A variable that is unset and has no default is an error naming the field.
 */
const PATTERN = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function substituteEnv(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  where: (path: (string | number)[]) => string,
  path: (string | number)[] = [],
): unknown {
  if (typeof value === 'string') return substituteString(value, env, () => where(path));
  if (Array.isArray(value)) return value.map((item, i) => substituteEnv(item, env, where, [...path, i]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      out[key] = substituteEnv(item, env, where, [...path, key]);
    return out;
  }
  return value;
}

function substituteString(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  where: () => string,
): string | number | boolean {
  let whole = false;
  const replaced = text.replace(PATTERN, (match, escaped, name: string, fallback: string | undefined) => {
    if (escaped) return match.slice(1);
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    throw new ConfigError(
      `${where()}: environment variable ${name} is not set and has no default (\${${name}:-…})`,
    );
  });
  // A value that is exactly one reference ("${PORT}") takes the variable's type, so numbers
  // and booleans can come from the environment too.
  whole = /^\$\{[^}]+\}$/.test(text);
  if (!whole) return replaced;
  if (/^-?\d+(\.\d+)?$/.test(replaced)) return Number(replaced);
  if (replaced === 'true' || replaced === 'false') return replaced === 'true';
  return replaced;
}
