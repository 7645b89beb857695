import type { z } from 'zod';

/**
 * Turn a zod issue into "expected …, got …" prose with the field path it concerns.
 * Unknown keys get their own path and the list of keys that are allowed there.
 */
export function describeIssue(
  issue: z.core.$ZodIssue,
  schema: z.ZodType,
): { fieldPath: PropertyKey[]; message: string } {
  const fieldPath = [...issue.path];
  const got = 'input' in issue ? `, got ${describeValue(issue.input)}` : '';
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(schema, fieldPath);
      const hint = allowed.length > 0 ? ` (allowed: ${allowed.join(', ')})` : '';
      return {
        fieldPath: [...fieldPath, issue.keys[0] ?? ''],
        message: `unknown key${issue.keys.length > 1 ? `s ${issue.keys.join(', ')}` : ''}${hint}`,
      };
    }
    case 'invalid_type':
      return { fieldPath, message: `expected ${article(issue.expected)}${got}` };
    case 'too_small':
    case 'too_big': {
      const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const what =
        issue.origin === 'array'
          ? `a list with ${op} ${bound} items`
          : issue.origin === 'string'
            ? `a string of ${op} ${bound} characters`
            : `${article(issue.origin)} ${op} ${bound}`;
      return { fieldPath, message: `expected ${what}${got}` };
    }
    case 'invalid_value':
      return {
        fieldPath,
        message: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${got}`,
      };
    case 'invalid_format':
      return { fieldPath, message: `expected ${issue.message}${got}` };
    case 'not_multiple_of':
      return { fieldPath, message: `expected a whole number${got}` };
    default:
      return { fieldPath, message: `${issue.message}${got}` };
  }
}

function article(noun: string): string {
  if (noun === 'int') return 'a whole number';
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a mapping';
  return String(value);
}

/** Keys allowed at `fieldPath`, found by walking object shapes through defaults and arrays. */
function allowedKeys(schema: z.ZodType, fieldPath: PropertyKey[]): string[] {
  let node: unknown = schema;
  for (const part of [...fieldPath, null]) {
    node = unwrap(node);
    const def = (node as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
    if (!def) return [];
    if (part === null) return def.type === 'object' ? Object.keys(def.shape as object) : [];
    if (def.type === 'object') node = (def.shape as Record<string, unknown>)[String(part)];
    else if (def.type === 'array') node = def.element;
    else return [];
  }
  return [];
}

function unwrap(node: unknown): unknown {
  let current = node as { _zod?: { def?: Record<string, unknown> } } | undefined;
  while (
    current?._zod?.def &&
    ['default', 'optional', 'nullable', 'prefault'].includes(current._zod.def.type as string)
  ) {
    current = current._zod.def.innerType as typeof current;
  }
  return current;
}
